// The web host: serves the same renderer as the desktop app, and the same contract over a
// WebSocket, on 127.0.0.1 only. A random token in the printed URL guards every request and
// socket (401 without it): any web page the user visits could otherwise reach a local port.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENT_CHANNELS, REQUEST_CHANNELS, type Events, type RequestChannel } from '../common/ipc/contract';
import { Router, unwrapReply, type Handlers } from '../common/ipc/router';
import { EngineClient, type EngineTransport } from '../engine/host/engine-client';

export interface WebHostOptions {
  port?: number;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  /** Starts an engine process; the default forks out/node/engine-process.cjs. */
  spawnEngine: () => EngineTransport;
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  engine: EngineClient;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

const COOKIE = 'glasswing_token';

function sameToken(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function presentedToken(req: IncomingMessage): string | null {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const cookie = req.headers.cookie?.split(';').map((c) => c.trim().split('=')).find(([k]) => k === COOKIE);
  return cookie?.[1] ?? null;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  const broadcast = <E extends keyof Events>(event: E, payload: Events[E]) => {
    const text = JSON.stringify({ kind: 'event', event, payload });
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text);
  };
  const engine = new EngineClient(options.spawnEngine, broadcast);
  let origin = '';
  const forward = Object.fromEntries(
    REQUEST_CHANNELS.map((channel) => [channel, async (payload: unknown) => unwrapReply(await engine.invoke(channel as RequestChannel, payload))]),
  ) as unknown as Handlers;
  forward['app.info'] = async (p) => ({ ...(unwrapReply(await engine.invoke('app.info', p)) as Awaited<ReturnType<Handlers['app.info']>>), host: 'web' });
  const router = new Router(forward, { isTrustedSender: (s) => s.origin === origin });

  const server = createServer((req, res) => void serveHttp(req, res));
  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!sameToken(presentedToken(req), token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('401 Unauthorized: open the URL that `glasswing serve` printed, with its token.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // The cookie lets the page's own scripts and styles load without the token in their URLs.
    res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(options.rendererDir, '.' + rel);
    if (!file.startsWith(path.resolve(options.rendererDir) + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const okToken = sameToken(presentedToken(req), token);
    const okOrigin = req.headers.origin === origin;
    if (url.pathname !== '/ws' || !okToken || !okOrigin) {
      socket.write(`HTTP/1.1 ${okToken ? '403 Forbidden' : '401 Unauthorized'}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', async (data) => {
        let msg: { kind?: string; id?: unknown; channel?: unknown; payload?: unknown };
        try {
          msg = JSON.parse(String(data));
        } catch {
          ws.send(JSON.stringify({ kind: 'reply', id: null, reply: { ok: false, error: { code: 'invalid-payload', message: 'Messages must be JSON.' } } }));
          return;
        }
        if (msg.kind !== 'request' || typeof msg.id !== 'number') return;
        const reply = await router.handle(msg.channel, msg.payload, { origin: String(req.headers.origin) });
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ kind: 'reply', id: msg.id, reply }));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    engine,
    async close() {
      for (const s of sockets) s.terminate();
      engine.dispose();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export { EVENT_CHANNELS };
