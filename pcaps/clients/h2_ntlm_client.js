// An HTTPS HTTP/2 client (node's http2 module, nothing else) that tries
// NTLM over HTTP/2 the way a browser first does, for
// pcaps/make-real-tls-causes.sh: curl sends its NTLM type 1 at once, or
// (--anyauth) switches to HTTP/1.1 by itself, so neither shows the case
// IIS users meet, a challenge and then a reset. On one TLS connection
// (ALPN h2, its NSS key log appended to --keylog):
//   GET --path without credentials         must get 401 `www-authenticate: NTLM`
//   GET --path with `authorization: NTLM`  (a type 1) must be reset with
//                                          HTTP_1_1_REQUIRED (0xd)
// It does not fall back to HTTP/1.1: the capture shows the failure a
// client without that fallback meets.
//
//   node h2_ntlm_client.js --url https://HOST:PORT/path --connect 127.0.0.1 --keylog FILE
//
// Exit status 0 when both happened.
'use strict';

const fs = require('fs');
const http2 = require('http2');
const tls = require('tls');

function option(name) {
    const i = process.argv.indexOf('--' + name);
    if (i < 0 || i + 1 >= process.argv.length) {
        console.error('h2_ntlm_client.js: --' + name + ' is required');
        process.exit(2);
    }
    return process.argv[i + 1];
}

// An NTLM NEGOTIATE message (type 1): unicode, OEM, request target, NTLM,
// always sign, extended session security, 128-bit, 56-bit; no domain or
// workstation.
function type1Message() {
    const m = Buffer.alloc(32);
    m.write('NTLMSSP\0', 0, 'latin1');
    m.writeUInt32LE(1, 8);
    m.writeUInt32LE(0xa2088207, 12);
    return m;
}

function send(session, path, headers) {
    return new Promise((resolve) => {
        const stream = session.request(Object.assign({ ':method': 'GET', ':path': path }, headers),
                                       { endStream: true });
        const got = { status: 0, auth: null, reset: null };
        stream.on('response', (h) => { got.status = h[':status']; got.auth = h['www-authenticate']; });
        stream.on('data', () => {});
        stream.on('close', () => { got.reset = stream.rstCode; resolve(got); });
        stream.on('error', () => {});
    });
}

async function main() {
    const url = new URL(option('url'));
    const keylog = option('keylog');
    // to --connect's address, with the URL's name as SNI (a throwaway
    // certificate: not verified)
    const session = http2.connect(url.origin, {
        createConnection: () => {
            const socket = tls.connect({
                host: option('connect'), port: Number(url.port) || 443, servername: url.hostname,
                ALPNProtocols: ['h2'], rejectUnauthorized: false,
            });
            socket.on('keylog', (line) => fs.appendFileSync(keylog, line));
            return socket;
        },
    });
    session.on('error', (e) => { console.error(e.message); });
    const first = await send(session, url.pathname, {});
    console.log(`stream 1: ${first.status} ${first.auth}`);
    const second = await send(session, url.pathname,
                              { authorization: 'NTLM ' + type1Message().toString('base64') });
    console.log(`stream 3: ${second.status} reset ${second.reset}`);
    session.close();
    const ok = first.status === 401 && /^NTLM/i.test(first.auth || '') &&
               second.status === 0 && second.reset === http2.constants.NGHTTP2_HTTP_1_1_REQUIRED;
    process.exitCode = ok ? 0 : 1;
}

main().catch((e) => { console.error(e.message); process.exit(1); });
