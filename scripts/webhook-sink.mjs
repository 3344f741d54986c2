// A fast local webhook receiver for scripts/bench-webhooks: answers 204 to every POST and appends
// one line per delivery to the file given as argv[3]: receive time (Unix ms, float), the
// webhook-id header and the payload's `timestamp` (the event's time). Prints the port it listens
// on (argv[2], 0 = any) on stdout once listening.
import { createServer } from 'node:http';
import { createWriteStream } from 'node:fs';

const out = createWriteStream(process.argv[3] ?? '/dev/null');
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const received = performance.timeOrigin + performance.now();
    let ts = '';
    try {
      ts = JSON.parse(Buffer.concat(chunks).toString('utf8')).timestamp ?? '';
    } catch {}
    out.write(`${received}\t${req.headers['webhook-id'] ?? ''}\t${ts}\n`);
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(server.address().port);
});
process.on('SIGTERM', () => out.end(() => process.exit(0)));
