/**
 * GET /healthz for `crate serve` (HEALTH_PORT; 127.0.0.1 unless HEALTH_HOST says otherwise):
 * the HealthSnapshot as JSON, 200 when the service works, 503 when it does not. Plain node:http:
 * one route, nothing else is served.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../domain/errors.js';
import type { HealthSnapshot } from './health-snapshot.js';

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(options: { host: string; port: number; snapshot: () => Promise<HealthSnapshot> }): Promise<HealthServer> {
  // Not `import … from 'node:http'`: an ES import of node:http builds its module namespace from
  // every export, and reading http.WebSocket/MessageEvent/CloseEvent loads Node's bundled undici
  // (~2.4 MB of heap, ~13 MB RSS for a service that never uses it). getBuiltinModule returns the
  // same http module without touching those lazy exports.
  const { createServer } = process.getBuiltinModule('node:http');
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: crate serve answers GET /healthz only.\n');
      return;
    }
    options.snapshot().then(
      (snapshot) => {
        const body = `${JSON.stringify(snapshot)}\n`;
        res.writeHead(snapshot.ok ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
        res.end(`${JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) })}\n`);
      },
    );
  });
  // Health checks come every few seconds: never let an idle socket hold shutdown up.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new UserError(`Cannot listen for health checks on ${options.host}:${options.port} (${err.code ?? err.message}).`, 'Change HEALTH_PORT (or HEALTH_HOST), or stop what uses that port.', { cause: err }),
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/healthz`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
