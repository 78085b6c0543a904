// A registry login that may pull but not push, in front of a registry without auth: reads with
// the login pass through, writes get distribution's own DENIED (403), anything else 401. A process
// of its own: the tests block their event loop while nx runs.
// Usage: node read-only-proxy.mjs <listen port> <backend host:port> <user> <password>
import { Buffer } from 'node:buffer';
import { createServer, request } from 'node:http';
import process from 'node:process';

const [port, backend, user, password] = process.argv.slice(2);
const [backendHost, backendPort] = backend.split(':');
const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const json = (res, status, code, message, extra = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...extra });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
};

createServer((req, res) => {
  if (req.headers.authorization !== expected) return json(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': 'Basic realm="dockconv-e2e"' });
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 403, 'DENIED', 'requested access to the resource is denied');
  const headers = { ...req.headers };
  delete headers.authorization;
  const upstream = request({ host: backendHost, port: Number(backendPort), method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}).listen(Number(port), '127.0.0.1');
