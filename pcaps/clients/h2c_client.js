// An HTTP/2 client with prior knowledge (node's http2 module, nothing else)
// for pcaps/make-real-h2.sh: curl 7.88.1 cannot send a second request on a
// prior-knowledge connection, node can. One session (one TCP connection,
// the connection preface first), one request after the other, each on the
// next stream (1, 3, ...).
//
//   node h2c_client.js --url http://127.0.0.1:PORT/path/ \
//        --expect 401 [--expect 200 --user alice:right-password] ...
//
// Each --expect is a request: its status must be that; a --user after it
// sends `authorization: Basic` with that user:password on that request.
// Exit status 0 when every request got the status it expects.
'use strict';

const http2 = require('http2');

function requests(argv) {
    const list = [];
    let url = null;
    for (let i = 2; i < argv.length; i += 2) {
        if (argv[i] === '--url') url = new URL(argv[i + 1]);
        else if (argv[i] === '--expect') list.push({ expect: Number(argv[i + 1]), user: null });
        else if (argv[i] === '--user' && list.length) list[list.length - 1].user = argv[i + 1];
        else throw new Error('h2c_client.js: unknown argument ' + argv[i]);
    }
    if (!url || !list.length) throw new Error('h2c_client.js: needs --url and an --expect');
    return { url, list };
}

function send(session, url, req) {
    return new Promise((resolve, reject) => {
        const headers = { ':method': 'GET', ':path': url.pathname };
        if (req.user) headers.authorization = 'Basic ' + Buffer.from(req.user).toString('base64');
        const stream = session.request(headers, { endStream: true });
        let status = 0;
        stream.on('response', (h) => { status = h[':status']; });
        stream.on('data', () => {});
        stream.on('end', () => resolve({ status, id: stream.id }));
        stream.on('error', reject);
    });
}

async function main() {
    const { url, list } = requests(process.argv);
    const session = http2.connect(url.origin);   // http: -> h2c with prior knowledge
    let ok = true;
    for (const req of list) {
        const got = await send(session, url, req);
        console.log(`stream ${got.id}: ${got.status}`);
        if (got.status !== req.expect) ok = false;
    }
    session.close();
    process.exitCode = ok ? 0 : 1;
}

main().catch((e) => { console.error(e.message); process.exit(1); });
