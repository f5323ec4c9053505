// node bench/slowloris.mjs [DIST] [SECONDS] [ATTACKERS] [TRICKLE_MS]
// The HTTP listener (DIST/daemon/http-api.js, default ./dist) on a loopback port, in this process, with a daemon
// stand-in; ATTACKERS (150) connections without a token each send one header byte every TRICKLE_MS (1000), and
// reconnect when dropped; meanwhile an authorised client asks GET /api/status every 200 ms (2 s timeout each) for
// SECONDS (20). Prints one JSON line: how many authorised requests succeeded, and how the attack fared.
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist = 'dist', seconds = '20', attackers = '150', trickleMs = '1000'] = process.argv.slice(2);
const { HttpApi } = await import(pathToFileURL(path.resolve(dist, 'daemon/http-api.js')).href);
const TOKEN = 'b'.repeat(64);
const daemon = {
  stack: () => 'bench',
  handle: async (request) => (request.type === 'status' ? { services: [], problems: [] } : null),
  attach: () => undefined,
  detach: () => undefined,
};
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const api = new HttpApi({ host: '127.0.0.1', port, allowRemote: false, origins: [] }, TOKEN, daemon);
await api.listen();

let running = true;
let attackConnections = 0;
const HEAD = `GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Padding: ${'a'.repeat(4000)}\r\n\r\n`;
function attacker() {
  if (!running) return;
  attackConnections++;
  const socket = net.connect(port, '127.0.0.1');
  let sent = 0;
  const timer = setInterval(() => socket.write(HEAD[sent++ % HEAD.length]), Number(trickleMs));
  socket.on('error', () => undefined);
  socket.on('close', () => {
    clearInterval(timer);
    setTimeout(attacker, 50);
  });
}
const sockets = Number(attackers);
for (let i = 0; i < sockets; i++) attacker();
await new Promise((resolve) => setTimeout(resolve, 1000)); // the attack is in place

const ask = () =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/status', agent: false, timeout: 2000, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? 'ok' : `status ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve(error.code ?? error.message));
  });
const outcomes = {};
let ok = 0;
let total = 0;
const end = Date.now() + Number(seconds) * 1000;
while (Date.now() < end) {
  const outcome = await ask();
  total++;
  if (outcome === 'ok') ok++;
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
running = false;
console.log(JSON.stringify({ dist, attackers: sockets, trickleMs: Number(trickleMs), seconds: Number(seconds), authorised: { ok, total, outcomes }, attackConnections, guard: api.guard ? { evicted: api.guard.evicted, expired: api.guard.expired } : null }));
await api.close();
process.exit(0);
