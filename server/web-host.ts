// The web host: serves the same renderer as the desktop app, and the same contract over a
// WebSocket, on 127.0.0.1 only. Every request is parsed defensively and every socket handler has
// an error boundary: nothing that arrives over the network can end this process (see
// server/http-guard.ts for the checks, and `npm run fuzz`).
//
// Who may talk to it: the random token in the printed URL. The page moves the token from its
// address into sessionStorage (readable by this origin — this port — only) and presents it when
// it opens its socket. Static files are also served to a per-port cookie that holds a key derived
// from the token: cookies ignore ports, so another local server may receive that cookie, but it
// unlocks only the app's public files, never the socket.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventKey, REQUEST_CHANNELS, type Events, type RequestChannel } from '../common/ipc/contract';
import { Router, unwrapReply, type Handlers } from '../common/ipc/router';
import { EngineClient, type EngineTransport } from '../engine/host/engine-client';
import { CONTENT_TYPES, SECURITY_HEADERS, allowedHosts, pageKey, parseTarget, pageCookieName, presentedPageKey, presentedToken, sameSecret } from './http-guard';
import { SocketSession } from './socket-session';

export interface WebHostOptions {
  port?: number;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  /** Starts an engine process; the default forks out/node/engine-process.cjs. */
  spawnEngine: () => EngineTransport;
  token?: string;
  /** Largest WebSocket message accepted (bytes); larger ones close that socket. Default 64 MiB. */
  maxMessageBytes?: number;
  /** Largest message from a page's compute worker (a trained model's weights). Default 1 GiB. */
  maxComputeMessageBytes?: number;
  /** Where problems are reported (default: stderr). */
  log?: (line: string) => void;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  engine: EngineClient;
  close(): Promise<void>;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const key = pageKey(token);
  const log = options.log ?? ((line: string) => process.stderr.write(`glasswing serve: ${line}\n`));
  const sessions = new Set<SocketSession>();
  const deliver = <E extends keyof Events>(event: E, payload: Events[E]) => {
    const k = eventKey(event, payload);
    for (const s of sessions) s.event(event, payload, k);
  };
  const engine = new EngineClient(options.spawnEngine, deliver);
  let port = 0;
  let origins: string[] = [];
  const forward = {} as Record<RequestChannel, (payload: unknown) => Promise<unknown>>;
  for (const channel of REQUEST_CHANNELS) forward[channel] = async (payload) => unwrapReply(await engine.invoke(channel, payload));
  forward['app.info'] = async (p) => ({ ...(unwrapReply(await engine.invoke('app.info', p)) as object), host: 'web' });
  const router = new Router(forward as Handlers, { isTrustedSender: (s) => origins.includes(s.origin) });
  const rendererRoot = path.resolve(options.rendererDir);

  function refuse(res: ServerResponse, status: number, text: string): void {
    if (res.headersSent) return void res.end();
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${status} ${text}\n`);
  }

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const target = parseTarget(req.url);
    if (!target) return refuse(res, 400, 'Bad Request: the request target is malformed.');
    if (!allowedHosts(port).includes(String(req.headers.host ?? '').toLowerCase())) return refuse(res, 421, 'Misdirected Request: this server answers only to 127.0.0.1 and localhost.');
    const withToken = sameSecret(presentedToken(req, target), token);
    if (!withToken && !sameSecret(presentedPageKey(req, port), key)) {
      return refuse(res, 401, 'Unauthorized: open the URL that `glasswing serve` printed, with its token.');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method Not Allowed');
    if (withToken) res.setHeader('Set-Cookie', `${pageCookieName(port)}=${key}; HttpOnly; SameSite=Strict; Path=/`);
    const rel = target.pathname === '/' ? '/index.html' : target.pathname;
    const file = path.resolve(rendererRoot, '.' + rel);
    if (!file.startsWith(rendererRoot + path.sep)) return refuse(res, 403, 'Forbidden');
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      body = await readFile(file);
    } catch {
      return refuse(res, 404, 'Not found');
    }
    res.writeHead(200, { 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((req, res) => {
    serveHttp(req, res).catch((e: unknown) => {
      log(`HTTP ${String(req.method).slice(0, 10)} failed: ${(e as Error).message}`);
      refuse(res, 500, 'Internal Server Error');
    });
  });
  // Requests Node's parser rejects (a malformed request line, huge headers) end here, not in a crash.
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? 64 * 1024 * 1024 });
  wss.on('error', (e) => log(`WebSocket server: ${e.message}`));
  // A page's compute worker (WebGPU/WebGL training) opens /compute: its binary messages are relayed
  // to the engine unread (the engine decodes and checks them), and the engine's to it.
  const computeWss = new WebSocketServer({ noServer: true, maxPayload: options.maxComputeMessageBytes ?? 1024 * 1024 * 1024 });
  computeWss.on('error', (e) => log(`compute WebSocket server: ${e.message}`));
  const computeSockets = new Set<WebSocket>();
  const MAX_COMPUTE_SOCKETS = 8;
  function relayCompute(ws: WebSocket): void {
    computeSockets.add(ws);
    const relay = engine.openCompute(
      (bytes) => {
        if (ws.readyState !== ws.OPEN) return;
        try {
          ws.send(bytes, { binary: true });
        } catch (e) {
          log(`compute send failed: ${(e as Error).message}`);
        }
      },
      // The engine ended the link or died: the worker reconnects to the next engine.
      () => ws.close(1012, 'engine restarted'),
    );
    ws.on('error', (e) => log(`compute socket: ${e.message}`));
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return ws.close(1003, 'compute messages are binary');
      const chunks = Array.isArray(data) ? data : [data];
      const bytes = chunks.length === 1 && Buffer.isBuffer(chunks[0]) ? chunks[0] : Buffer.concat(chunks.map((c) => Buffer.from(c as ArrayBuffer)));
      relay.send(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    ws.on('close', () => {
      computeSockets.delete(ws);
      relay.close();
    });
  }
  server.on('upgrade', (req, socket: Duplex, head) => {
    socket.on('error', () => socket.destroy());
    try {
      const target = parseTarget(req.url);
      const hostOk = allowedHosts(port).includes(String(req.headers.host ?? '').toLowerCase());
      const okToken = target !== null && sameSecret(presentedToken(req, target), token);
      const okOrigin = origins.includes(String(req.headers.origin));
      const route = target?.pathname;
      if (!target || !hostOk || (route !== '/ws' && route !== '/compute') || !okToken || !okOrigin) {
        const status = !target ? '400 Bad Request' : !okToken ? '401 Unauthorized' : '403 Forbidden';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      if (route === '/compute') {
        if (computeSockets.size >= MAX_COMPUTE_SOCKETS) {
          socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        computeWss.handleUpgrade(req, socket, head, (ws: WebSocket) => relayCompute(ws));
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        const session = new SocketSession(ws, router, String(req.headers.origin), log);
        sessions.add(session);
        ws.on('close', () => sessions.delete(session));
      });
    } catch (e) {
      log(`WebSocket upgrade failed: ${(e as Error).message}`);
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', (e) => log(`server: ${e.message}`));
  port = (server.address() as { port: number }).port;
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return {
    url: `${origins[0]}/?token=${token}`,
    port,
    token,
    engine,
    async close() {
      for (const s of sessions) s.terminate();
      for (const ws of computeSockets) ws.terminate();
      engine.dispose();
      wss.close();
      computeWss.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
