import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from './web-host';
import { forkNodeEngine } from '../engine/host/node-transport';
import { rawRequest } from './test-client';

let host: WebHost;
let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gw-web-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Glasswing</title>');
  host = await startWebHost({ rendererDir: dir, spawnEngine: () => forkNodeEngine('web') });
});

after(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

function openSocket(opts: { token?: string; origin?: string }): Promise<WebSocket> {
  const url = `ws://127.0.0.1:${host.port}/ws${opts.token ? `?token=${opts.token}` : ''}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin: opts.origin ?? `http://127.0.0.1:${host.port}` });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(String(res.statusCode))));
    ws.once('error', reject);
  });
}

function request(ws: WebSocket, id: number, channel: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data));
      if (msg.kind === 'reply' && msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg.reply);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'request', id, channel, payload }));
  });
}

test('the host listens on 127.0.0.1 only and prints a URL with a token', () => {
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
});

test('HTTP without the token is refused with 401; with it the page is served', async () => {
  const base = `http://127.0.0.1:${host.port}`;
  assert.equal((await fetch(`${base}/`)).status, 401);
  assert.equal((await fetch(`${base}/index.html?token=wrong`)).status, 401);
  const ok = await fetch(host.url);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /Glasswing/);
  const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
  assert.equal((await fetch(`${base}/index.html`, { headers: { cookie } })).status, 200, 'the cookie set by the token URL works');
  // Sent as raw bytes: fetch would normalise the "..", and the request would never reach the guard.
  const traversal = await rawRequest(host.port, `GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
  assert.equal(traversal.status, 403);
});

test('a socket without the token or from another origin is refused', async () => {
  await assert.rejects(openSocket({}), /401/);
  await assert.rejects(openSocket({ token: host.token, origin: 'https://evil.example' }), /403/);
});

test('requests cross the socket through the router to the engine process', async () => {
  const ws = await openSocket({ token: host.token });
  try {
    const info = await request(ws, 1, 'app.info', {});
    assert.equal(info.ok, true);
    assert.equal((info.value as { host: string }).host, 'web');
    const unknown = await request(ws, 2, 'shell.exec', { cmd: 'rm -rf /' });
    assert.deepEqual(unknown.error?.code, 'unknown-channel');
    const malformed = await request(ws, 3, 'training.start', { model: { template: 'iris-mlp' } });
    assert.deepEqual(malformed.error?.code, 'invalid-payload');
    const summary = await request(ws, 4, 'model.summary', { model: { template: 'lenet5' } });
    assert.equal((summary.value as { totalParams: number }).totalParams, 61706);
  } finally {
    ws.close();
  }
});

test('a killed engine is reported, and the next request starts a fresh one', async () => {
  const ws = await openSocket({ token: host.token });
  try {
    await request(ws, 1, 'app.info', {});
    const firstPid = host.engine.pid;
    const status = new Promise<{ state: string; message: string }>((resolve) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.kind === 'event' && msg.event === 'engine.status') resolve(msg.payload);
      });
    });
    host.engine.kill();
    const s = await status;
    assert.equal(s.state, 'crashed');
    assert.match(s.message, /engine process stopped unexpectedly/);
    const again = await request(ws, 2, 'templates.list', {});
    assert.equal(again.ok, true);
    assert.notEqual(host.engine.pid, firstPid);
  } finally {
    ws.close();
  }
});
