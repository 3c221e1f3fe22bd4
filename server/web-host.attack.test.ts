// The web host as an attacker and an unlucky user meet it: every input that once crashed it, the
// checks in front of the token (Host header, framing, traversal), what a page key cookie can and
// cannot do, pages that do not see or stop each other's runs, uploads that cannot escape or
// delete, writes and reads outside the allowed places, and finished runs that survive kill -9.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startWebHost, type WebHost } from './web-host';
import { forkNodeEngine } from '../engine/host/node-transport';
import { rawRequest, TestSocket } from './test-client';
import { TRAINING_DEFAULTS, type RunInfo } from '../common/ipc/contract';

let host: WebHost;
let dir: string;
let home: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gw-attack-'));
  home = path.join(dir, 'Glasswing');
  await mkdir(path.join(dir, 'renderer'));
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Glasswing</title>');
  await mkdir(home);
  await writeFile(path.join(home, 'canary.glasswing.json'), '{"format": "glasswing-project", "keep": true}');
  host = await startWebHost({
    rendererDir: path.join(dir, 'renderer'),
    spawnEngine: () => forkNodeEngine('web', { GLASSWING_PROJECTS_DIR: home, GLASSWING_CONFIG_DIR: path.join(dir, 'config'), GLASSWING_PLACES: 'confined', GLASSWING_SESSION: 'attack-test' }),
    log: () => undefined,
  });
});

after(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

async function alive(): Promise<void> {
  const s = await TestSocket.open(host.port, host.token);
  try {
    const info = await s.call<{ host: string }>('app.info', {});
    assert.equal(info.host, 'web');
  } finally {
    s.close();
  }
}

const get = (target: string, headers = '') => rawRequest(host.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${headers}Connection: close\r\n\r\n`);

test('malformed request lines and targets get 400, without the token too, and the host serves on', async () => {
  const crashers = [
    'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n',
    `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`,
    `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    `GET /% HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nAuthorization: Bearer ${host.token}\r\n\r\n`,
    `GET /%?token=${host.token} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`,
    'NOT A REQUEST\r\n\r\n',
    '\u0000\u0001\u0002\r\n\r\n',
  ];
  for (const text of crashers) {
    const r = await rawRequest(host.port, text);
    assert.equal(r.status, 400, JSON.stringify(text));
  }
  await alive();
});

test('a Host header other than 127.0.0.1 or localhost (DNS rebinding) is refused', async () => {
  const r = await rawRequest(host.port, `GET /?token=${host.token} HTTP/1.1\r\nHost: evil.example:${host.port}\r\nConnection: close\r\n\r\n`);
  assert.equal(r.status, 421);
  assert.equal((await get(`/?token=${host.token}`)).status, 200);
});

test('no page of another site may frame the workbench', async () => {
  const r = await get(`/?token=${host.token}`);
  assert.match(r.head, /content-security-policy: frame-ancestors 'none'/i);
  assert.match(r.head, /x-frame-options: DENY/i);
});

test('path traversal reaches the guard and is refused', async () => {
  for (const target of ['/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../package.json']) {
    const r = await get(target, `Authorization: Bearer ${host.token}\r\n`);
    assert.ok(r.status === 403 || r.status === 400, `${target}: ${r.status}`);
  }
});

test('the cookie holds a page key, not the token: it opens the app files but never the socket', async () => {
  const first = await get(`/?token=${host.token}`);
  const cookie = /set-cookie: ([^;\r\n]+)/i.exec(first.head)![1]!;
  assert.ok(!cookie.includes(host.token), 'the token itself is not in the cookie');
  assert.equal((await get('/index.html', `Cookie: ${cookie}\r\n`)).status, 200);
  const [name, key] = cookie.split('=') as [string, string];
  assert.equal(name, `glasswing_page_${host.port}`);
  await assert.rejects(TestSocket.open(host.port, key), /401/);
});

test('socket messages that are not requests get a typed error; the host and the engine stay up', async () => {
  const s = await TestSocket.open(host.port, host.token);
  try {
    for (const m of ['null', '[]', '"x"', '{}', '{"kind":"request"}', '{"kind":"request","id":"1"}', 'not json', '{"kind":"request","id":1e400}', Buffer.from([0xff, 0xfe])]) s.sendRaw(m);
    const r = await s.request('training.start', null);
    assert.equal(r.ok ? 'ok' : r.error.code, 'invalid-payload');
    const unknown = await s.request('__proto__', {});
    assert.equal(unknown.ok ? 'ok' : unknown.error.code, 'unknown-channel');
  } finally {
    s.close();
  }
  await alive();
});

test('upload names that are not one safe folder name are refused; nothing in the Glasswing folder is touched', async () => {
  const s = await TestSocket.open(host.port, host.token);
  try {
    const file = [{ path: 'data.csv', base64: Buffer.from('a,b\n1,x\n2,y\n').toString('base64') }];
    for (const name of ['.', '..', '...csv', 'a/b', 'a\\b', 'nul\u0000name', '.hidden', '']) {
      for (const fresh of [true, false]) {
        const r = await s.request('datasets.upload', { name, files: file, fresh });
        assert.equal(r.ok, false, `${JSON.stringify(name)} fresh=${fresh}`);
      }
    }
    // A path inside an upload cannot leave it either.
    for (const p of ['../x.csv', '../../canary.glasswing.json', '/etc/x', 'a/../../b']) {
      const r = await s.request('datasets.upload', { name: 'ok', files: [{ path: p, base64: 'eA==' }], fresh: true });
      assert.equal(r.ok, false, p);
    }
    assert.equal(await readFile(path.join(home, 'canary.glasswing.json'), 'utf8'), '{"format": "glasswing-project", "keep": true}');
    // fresh: true makes a new folder; it never clears an existing one.
    const a = await s.call<{ name: string; ref: string }>('datasets.upload', { name: 'mydata', files: file, fresh: true });
    const b = await s.call<{ name: string; ref: string }>('datasets.upload', { name: 'mydata', files: file, fresh: true });
    assert.equal(a.name, 'mydata');
    assert.equal(b.name, 'mydata-2');
    assert.deepEqual((await readdir(path.join(home, 'uploads'))).sort(), ['mydata', 'mydata-2'], 'refused uploads made no folder');
    assert.ok((await readdir(path.join(home, 'uploads', 'mydata'))).includes('data.csv'));
  } finally {
    s.close();
  }
});

test('saves and exports outside the Glasswing folder are refused; reads outside the allowed places return no raw lines', async () => {
  const s = await TestSocket.open(host.port, host.token);
  try {
    const project = { format: 'glasswing-project', version: 1, name: 'p', savedAt: '', model: { class_name: 'Sequential', config: { name: 's', layers: [] } }, layout: {}, dataset: null, training: {}, runs: [] };
    for (const p of ['/etc/evil', path.join(dir, 'outside'), '../../outside', path.join(tmpdir(), 'x')]) {
      const r = await s.request('project.save', { path: p, project });
      assert.equal(r.ok ? 'ok' : r.error.code, 'bad-input', p);
      assert.match(r.ok ? '' : r.error.message, /outside your Glasswing folder/);
    }
    // A file that is not a project is never replaced without a confirmation.
    await writeFile(path.join(home, 'notes.glasswing.json'), 'my notes');
    const over = await s.request('project.save', { path: 'notes', project });
    assert.equal(over.ok, false);
    assert.equal(await readFile(path.join(home, 'notes.glasswing.json'), 'utf8'), 'my notes');
    assert.equal((await s.request('project.save', { path: 'canary', project })).ok, true, 'a Glasswing project may be saved over');
    for (const ref of ['/etc/passwd', '/etc/hostname', '/proc/self/environ', path.join(dir, 'renderer', 'index.html')]) {
      const r = await s.request('datasets.inspect', { ref, options: {} });
      const text = JSON.stringify(r);
      assert.equal(r.ok, false, ref);
      assert.doesNotMatch(text, /root:|<!doctype|<title>/i, ref);
    }
    const backbone = await s.request('transfer.backbones', { path: '/etc/passwd' });
    assert.equal(backbone.ok, false);
    assert.doesNotMatch(JSON.stringify(backbone), /root:x/);
    const exp = await s.request('export.model', { runId: 'run-nope', format: 'tfjs', dir: '/etc/glasswing-export' });
    assert.equal(exp.ok, false);
  } finally {
    s.close();
  }
});

test('two pages: the second run answers at once as queued, each page hears only its own runs', async () => {
  const a = await TestSocket.open(host.port, host.token);
  const b = await TestSocket.open(host.port, host.token);
  try {
    const settings = { ...TRAINING_DEFAULTS, epochs: 30, batchSize: 16, backend: 'cpu' };
    const first = await a.call<{ runId: string; state: string }>('training.start', { model: { template: 'iris-mlp' }, dataset: 'iris', settings });
    const t0 = Date.now();
    const second = await b.call<{ runId: string; state: string; position: number }>('training.start', { model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...settings, epochs: 2 } });
    assert.ok(Date.now() - t0 < 5000, 'the reply does not wait for the first run');
    assert.equal(second.state, 'queued');
    assert.ok(second.position >= 1);
    // The queued run can be stopped before it starts; the first run is not affected.
    await b.call('training.stop', { runId: second.runId });
    const cancelled = await b.next('training.event', (e) => e.runId === second.runId && e.type === 'failed');
    assert.match((cancelled as { message: string }).message, /Stopped before it started/);
    await a.next('training.event', (e) => e.runId === first.runId && e.type === 'finished');
    assert.ok(!a.events.some((e) => (e.payload as { runId?: string }).runId === second.runId), 'page A never sees B’s run');
    assert.ok(!b.events.some((e) => (e.payload as { runId?: string }).runId === first.runId), 'page B never sees A’s run');
  } finally {
    a.close();
    b.close();
  }
});

test('kill -9 of the engine after three finished runs: all three are still listed, inspectable and exportable', async () => {
  const s = await TestSocket.open(host.port, host.token);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { runId } = await s.call<{ runId: string }>('training.start', { model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...TRAINING_DEFAULTS, epochs: 5, batchSize: 16, backend: 'cpu', seed: i + 1 } });
      await s.next('training.event', (e) => e.runId === runId && e.type === 'finished');
      ids.push(runId);
    }
    const status = s.next('engine.status', (e) => e.state === 'crashed');
    process.kill(host.engine.pid!, 'SIGKILL');
    await status;
    const runs = await s.call<RunInfo[]>('inspect.runs', {});
    for (const id of ids) assert.ok(runs.some((r) => r.runId === id && r.state === 'finished'), `${id} listed after the crash`);
    for (const id of ids) {
      const d = await s.call<{ classes: string[] }>('model.describe', { runId: id });
      assert.deepEqual(d.classes, ['setosa', 'versicolor', 'virginica']);
      const layers = await s.call<{ layers: unknown[] }>('inspect.layers', { runId: id });
      assert.ok(layers.layers.length >= 3);
      const exp = await s.call<{ check: { ok: boolean } }>('export.model', { runId: id, format: 'tfjs', dir: `after-crash-${id}` });
      assert.equal(exp.check.ok, true);
    }
  } finally {
    s.close();
  }
});

test('the engine dying while large messages are in flight never ends the host', async () => {
  const s = await TestSocket.open(host.port, host.token);
  try {
    const big = Buffer.alloc(12 * 1024 * 1024, 7).toString('base64');
    for (let i = 0; i < 3; i++) {
      await s.call('app.info', {});
      const pending = [s.request('datasets.upload', { name: `big${i}`, files: [{ path: 'x.bin', base64: big }], fresh: true }), s.request('datasets.upload', { name: `big${i}b`, files: [{ path: 'x.bin', base64: big }], fresh: true })];
      process.kill(host.engine.pid!, 'SIGKILL');
      await Promise.all(pending);
    }
  } finally {
    s.close();
  }
  await alive();
});

test('the compute socket: token, origin and binary frames required; garbage and floods never reach past the engine’s checks', async () => {
  const { WebSocket } = await import('ws');
  const { encode } = await import('../compute/wire');
  const origin = `http://127.0.0.1:${host.port}`;
  const openCompute = (token: string, from = origin) =>
    new Promise<{ ws: InstanceType<typeof WebSocket> | null; status: number | null }>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/compute?token=${encodeURIComponent(token)}`, { origin: from });
      ws.on('open', () => resolve({ ws, status: null }));
      ws.on('unexpected-response', (_req, res) => resolve({ ws: null, status: res.statusCode ?? 0 }));
      ws.on('error', () => resolve({ ws: null, status: -1 }));
    });
  assert.equal((await openCompute('wrong')).status, 401);
  assert.equal((await openCompute(host.token, 'http://evil.example')).status, 403);

  // A text frame is not the protocol: that socket is closed, nothing else happens.
  const text = (await openCompute(host.token)).ws!;
  const closed = new Promise<number>((r) => text.on('close', (code) => r(code)));
  text.send('{"type":"hello"}');
  assert.equal(await closed, 1003);

  // Garbage bytes, a forged array reference, and a hello that is not a report: dropped by the engine.
  const junk = (await openCompute(host.token)).ws!;
  junk.send(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8]));
  junk.send(Buffer.from('GWC1\u00ff\u00ff\u00ff\u00ff'));
  junk.send(encode({ type: 'hello', report: { adapter: null, backends: 'all of them', agent: 1 } }));
  junk.send(encode({ type: 'done', runId: 'run-x', weights: [] }));
  await new Promise((r) => setTimeout(r, 300));
  const s = await TestSocket.open(host.port, host.token);
  try {
    const info = await s.call<{ backends: { name: string; available: boolean; reason?: string }[]; gpu: unknown }>('app.info', {});
    assert.equal(info.gpu, null, 'no malformed hello was taken as a worker');
    assert.equal(info.backends.find((b) => b.name === 'webgpu')!.available, false);
  } finally {
    s.close();
  }
  junk.close();

  // More compute sockets than any page needs are refused; the host serves on.
  const many = await Promise.all(Array.from({ length: 10 }, () => openCompute(host.token)));
  assert.ok(many.some((m) => m.status === 429), 'the ninth socket onwards is refused');
  for (const m of many) m.ws?.close();
  await alive();
});
