// An HTTPS server (node's http2 module, nothing else) that answers NTLM the
// way IIS does when HTTP/2 is enabled: NTLM is bound to its connection and
// HTTP/2 multiplexes requests over one, so a request that carries
// `Authorization: NTLM ...` over HTTP/2 has its stream reset with
// HTTP_1_1_REQUIRED (RFC 7540 section 7: 0xd), telling the client to come
// back over HTTP/1.1. It makes tls13-h2-ntlm-http11-required.pcap
// (pcaps/make-real-tls-causes.sh).
//
//   node h2_ntlm_server.js --port PORT --cert CERT.pem --key KEY.pem [--max-seconds N]
//
// TLS with ALPN h2 and http/1.1 (allowHTTP1), one handler for both:
//   HTTP/2, no Authorization       401 `www-authenticate: NTLM`
//   HTTP/2, Authorization: NTLM    the stream reset with HTTP_1_1_REQUIRED
//   HTTP/1.1                       the NTLM handshake, bound to the connection
//                                  as in servers/ntlm_server.py: a type 1 gets
//                                  401 with a type 2, a type 3 on the
//                                  connection that was sent the type 2 gets
//                                  200, anything else 401 `WWW-Authenticate: NTLM`
// It verifies nothing. It stops by itself after --max-seconds (default 120).
'use strict';

const fs = require('fs');
const http2 = require('http2');

function option(name, fallback) {
    const i = process.argv.indexOf('--' + name);
    if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
    if (fallback === undefined) {
        console.error('h2_ntlm_server.js: --' + name + ' is required');
        process.exit(2);
    }
    return fallback;
}

// An NTLM CHALLENGE message: target name "LAB", a fixed server challenge
// (the same bytes as servers/ntlm_server.py's).
function type2Message() {
    const target = Buffer.from('LAB', 'utf16le');
    const info = Buffer.concat([Buffer.from([2, 0, target.length, 0]), target, Buffer.alloc(4)]);
    const flags = (0x00000001 | 0x00000200 | 0x00008000 | 0x00010000 | 0x00800000 | 0xa0000000) >>> 0;
    const head = Buffer.alloc(48);
    head.write('NTLMSSP\0', 0, 'latin1');
    head.writeUInt32LE(2, 8);
    head.writeUInt16LE(target.length, 12);
    head.writeUInt16LE(target.length, 14);
    head.writeUInt32LE(48, 16);
    head.writeUInt32LE(flags, 20);
    Buffer.from('0123456789abcdef', 'hex').copy(head, 24);
    head.writeUInt16LE(info.length, 40);
    head.writeUInt16LE(info.length, 42);
    head.writeUInt32LE(48 + target.length, 44);
    return Buffer.concat([head, target, info]);
}

// The NTLM message type in an "NTLM <base64>" header value, or 0.
function ntlmType(value) {
    const m = /^NTLM\s+(\S+)/i.exec(value || '');
    if (!m) return 0;
    const raw = Buffer.from(m[1], 'base64');
    if (raw.length < 12 || raw.toString('latin1', 0, 8) !== 'NTLMSSP\0') return 0;
    return raw.readUInt32LE(8);
}

function reply(res, status, headers, body) {
    res.writeHead(status, Object.assign({ 'content-type': 'text/plain',
                                          'content-length': Buffer.byteLength(body) }, headers));
    res.end(body);
}

function onRequest(req, res) {
    const auth = req.headers.authorization;
    const kind = ntlmType(auth);
    console.log(`${req.socket.remotePort} HTTP/${req.httpVersion} ${req.method} ${req.url} ntlm type ${kind}`);
    if (req.httpVersionMajor === 2) {
        if (/^NTLM\b/i.test(auth || '')) {
            // what IIS does: connection-bound authentication cannot run here
            req.stream.close(http2.constants.NGHTTP2_HTTP_1_1_REQUIRED);
            return;
        }
        reply(res, 401, { 'www-authenticate': 'NTLM' }, 'authentication required\n');
        return;
    }
    const conn = req.socket;
    if (kind === 1) {
        conn.ntlmChallenged = true;
        reply(res, 401, { 'www-authenticate': 'NTLM ' + type2Message().toString('base64') },
              'challenge\n');
    } else if (kind === 3 && conn.ntlmChallenged) {
        conn.ntlmChallenged = false;
        reply(res, 200, {}, 'hello, NTLM user\n');
    } else {
        reply(res, 401, { 'www-authenticate': 'NTLM' }, 'authentication required\n');
    }
}

const server = http2.createSecureServer({
    cert: fs.readFileSync(option('cert')),
    key: fs.readFileSync(option('key')),
    allowHTTP1: true,
}, onRequest);
server.listen(Number(option('port')), option('host', '127.0.0.1'), () => {
    console.log(`listening on ${option('host', '127.0.0.1')}:${option('port')}`);
});
setTimeout(() => process.exit(0), 1000 * Number(option('max-seconds', '120'))).unref();
