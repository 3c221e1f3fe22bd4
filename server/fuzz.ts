// A seeded, bounded fuzzer for the web host: every input that once crashed it, then random
// WebSocket messages (mutations of valid requests, random JSON, odd bytes) and malformed HTTP
// requests, all to a host it starts on 127.0.0.1 with a scratch Glasswing folder. At the end the
// host and its engine must be the same processes, alive, and answer a normal request.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REQUEST_CHANNELS, TRAINING_DEFAULTS, type RunInfo } from '../common/ipc/contract';
import { forkNodeEngine } from '../engine/host/node-transport';
import { seededRandom } from '../compute/random';
import { startWebHost } from './web-host';
import { rawRequest, TestSocket } from './test-client';

export interface FuzzOptions {
  seed: number;
  socketMessages: number;
  httpRequests: number;
  log?: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  socketMessages: number;
  httpRequests: number;
  replies: { ok: number; errors: Record<string, number>; none: number };
  httpStatuses: Record<string, number>;
  engineRestarts: number;
  seconds: number;
}

type Random = () => number;

const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Valid payloads to mutate: light requests, so the fuzzer never starts long work. */
function templates(): Record<string, unknown> {
  const settings = { ...TRAINING_DEFAULTS, epochs: 1, batchSize: 64, backend: 'cpu' };
  return {
    'app.info': {},
    'templates.list': {},
    'datasets.list': {},
    'model.summary': { model: { template: 'lenet5' } },
    'training.start': { model: { template: 'iris-mlp' }, dataset: 'iris', settings },
    'training.pause': { runId: 'run-x-1' },
    'training.stop': { runId: 'run-x-1' },
    'model.predict': { runId: 'run-x-1', inputs: [[1, 2, 3, 4]] },
    'model.describe': { runId: 'run-x-1' },
    'project.save': { path: 'fuzz', project: { format: 'glasswing-project', version: 1, name: 'f', savedAt: '', model: { class_name: 'Sequential', config: { layers: [] } }, layout: {}, dataset: null, training: {}, runs: [] } },
    'project.open': { path: 'fuzz' },
    'project.keepUnsaved': { id: 'fuzz-page-1', project: { format: 'glasswing-project', version: 1, name: 'f', savedAt: '', model: { class_name: 'Sequential', config: { layers: [] } }, layout: {}, dataset: null, training: {}, runs: [] }, path: null, dirty: true, unsavedRuns: 0 },
    'project.listUnsaved': {},
    'project.readUnsaved': { id: 'fuzz-page-1' },
    'project.dropUnsaved': { id: 'fuzz-page-1' },
    'datasets.inspect': { ref: 'iris', options: {} },
    'datasets.upload': { name: 'fuzz', files: [{ path: 'a.csv', base64: 'YSxiCjEsMgo=' }], fresh: true },
    'inspect.runs': {},
    'inspect.layers': { runId: 'run-x-1' },
    'export.model': { runId: 'run-x-1', format: 'tfjs', dir: 'fuzz' },
    'tuning.list': {},
    'transfer.stop': { transferId: 't' },
    'session.follow': { keys: ['a'] },
    'runs.list': {},
  };
}

const STRANGE = ['', '..', '../../etc/passwd', '/etc/passwd', '\u0000', '__proto__', 'constructor', '%', '%%', 'http://[', '//[', 'A'.repeat(5000), '😀', '\\\\?\\C:\\', 'NaN', '-1', '1e309'];

function randomValue(r: Random, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 6 : 9));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, [0, -1, 1e308, -1e308, 2 ** 53, 0.5, Number.MAX_SAFE_INTEGER, 42]);
    case 3:
      return pick(r, STRANGE);
    case 4:
      return Math.floor(r() * 1000) - 500;
    case 5:
      return String.fromCharCode(...Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 0xffff)));
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [pick(r, ['__proto__', 'constructor', 'runId', 'path', 'name', 'x', 'settings', 'model', 'epochs']), randomValue(r, depth + 1)]));
  }
}

/** Changes one field somewhere in a valid payload. */
function mutate(r: Random, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || r() < 0.25 || depth > 4) return randomValue(r, depth);
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (!keys.length || r() < 0.15) copy[pick(r, ['__proto__', 'extra', 'constructor'])] = randomValue(r);
  else {
    const key = pick(r, keys);
    copy[key] = mutate(r, copy[key], depth + 1);
  }
  return copy;
}

/** One random socket message, as text (or bytes). */
function randomMessage(r: Random, id: number): string | Buffer {
  const t = templates();
  const roll = r();
  if (roll < 0.05) return Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
  if (roll < 0.12) return pick(r, ['null', '[]', '{}', '"x"', '1', 'true', '{"kind":"request"}', '{', 'NaN', '']);
  if (roll < 0.2) return JSON.stringify(randomValue(r));
  const channel = r() < 0.9 ? pick(r, Object.keys(t)) : r() < 0.5 ? pick(r, REQUEST_CHANNELS as readonly string[]) : pick(r, STRANGE);
  const base = t[channel] ?? {};
  const payload = r() < 0.3 ? base : mutate(r, base);
  const msg: Record<string, unknown> = { kind: 'request', id, channel, payload };
  if (r() < 0.05) msg['kind'] = randomValue(r);
  if (r() < 0.05) msg['id'] = randomValue(r);
  return JSON.stringify(msg);
}

/** One malformed (or odd) HTTP request, as raw bytes. */
function randomHttp(r: Random, port: number, token: string): string {
  const method = pick(r, ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'G\u0000T', 'get', 'CONNECT', '']);
  const target = pick(r, ['/', '/index.html', `/?token=${token}`, '//[', 'http://[', '/%', '/%zz', '/..%2f..%2fetc%2fpasswd', '/../../etc/passwd', '*', '/\u0000', '/' + 'a'.repeat(9000), `/ws?token=${token}`, '/ws', '/assets/%ff%fe', '/?token=%', `/%?token=${token}`]);
  const host = pick(r, [`127.0.0.1:${port}`, `localhost:${port}`, 'evil.example', '', '[', `127.0.0.1:${port}\r\nHost: evil`]);
  const version = pick(r, ['HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1.1 extra', '']);
  const headers: string[] = [];
  if (host) headers.push(`Host: ${host}`);
  if (r() < 0.3) headers.push(`Authorization: Bearer ${r() < 0.5 ? token : 'nope'}`);
  if (r() < 0.2) headers.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${r() < 0.5 ? 'dGhlIHNhbXBsZSBub25jZQ==' : 'x'}`, `Origin: ${pick(r, [`http://127.0.0.1:${port}`, 'http://evil.example', 'null'])}`);
  if (r() < 0.2) headers.push(`Content-Length: ${pick(r, ['-1', '99999999999', 'abc', '5'])}`);
  if (r() < 0.1) headers.push(`Cookie: glasswing_page_${port}=${'x'.repeat(Math.floor(r() * 5000))}`);
  if (r() < 0.1) headers.push('Transfer-Encoding: chunked');
  if (r() < 0.1) headers.push('X: ' + 'y'.repeat(20000));
  const line = `${method} ${target} ${version}`;
  return r() < 0.1 ? line + '\n\n' : `${line}\r\n${headers.join('\r\n')}\r\n\r\n`;
}

/** The inputs that crashed earlier versions, each sent once before the random ones. */
function knownCrashers(port: number, token: string): string[] {
  const ws = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
  return [
    `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
    `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
    `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${ws}\r\n`,
    `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${ws}\r\n`,
    `GET /% HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  ];
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const random = seededRandom(options.seed);
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-fuzz-'));
  const home = path.join(dir, 'Glasswing');
  await mkdir(path.join(dir, 'renderer'), { recursive: true });
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Glasswing</title>');
  let restarts = -1;
  const host = await startWebHost({
    rendererDir: path.join(dir, 'renderer'),
    spawnEngine: () => {
      restarts++;
      return forkNodeEngine('web', { GLASSWING_PROJECTS_DIR: home, GLASSWING_CONFIG_DIR: path.join(dir, 'config'), GLASSWING_PLACES: 'confined', GLASSWING_SESSION: 'fuzz' });
    },
    log: () => undefined,
  });
  const report: FuzzReport = { seed: options.seed, socketMessages: 0, httpRequests: 0, replies: { ok: 0, errors: {}, none: 0 }, httpStatuses: {}, engineRestarts: 0, seconds: 0 };
  try {
    for (const text of knownCrashers(host.port, host.token)) {
      const r = await rawRequest(host.port, text);
      report.httpStatuses[r.status] = (report.httpStatuses[r.status] ?? 0) + 1;
    }
    const first = await TestSocket.open(host.port, host.token);
    for (const m of ['null', '[]', '{"kind":"request","id":999999,"channel":"training.start","payload":null}']) first.sendRaw(m);
    await first.call('app.info', {});
    first.close();

    let socket = await TestSocket.open(host.port, host.token);
    const batch = 50;
    for (let sent = 0; sent < options.socketMessages; sent += batch) {
      const waits: Promise<unknown>[] = [];
      for (let k = 0; k < Math.min(batch, options.socketMessages - sent); k++) {
        // Fuzz ids stay clear of the ids the check requests use.
        const msg = randomMessage(random, 1_000_000_000 + sent + k);
        report.socketMessages++;
        if (socket.ws.readyState !== socket.ws.OPEN) socket = await TestSocket.open(host.port, host.token);
        socket.sendRaw(msg);
      }
      // One request per batch that must be answered: the host keeps up, nothing piles up unbounded.
      waits.push(
        Promise.race([socket.request('runs.list', {}), new Promise((r) => setTimeout(() => r(null), 30_000))]).then((reply) => {
          const rep = reply as { ok: boolean; error?: { code: string } } | null;
          if (!rep) report.replies.none++;
          else if (rep.ok) report.replies.ok++;
          else report.replies.errors[rep.error!.code] = (report.replies.errors[rep.error!.code] ?? 0) + 1;
        }),
      );
      await Promise.all(waits);
      if (sent % 1000 === 0) log(`socket messages: ${sent}`);
    }
    socket.close();
    for (let i = 0; i < options.httpRequests; i++) {
      const r = await rawRequest(host.port, randomHttp(random, host.port, host.token), 3000);
      report.httpRequests++;
      report.httpStatuses[r.status] = (report.httpStatuses[r.status] ?? 0) + 1;
      if (i % 200 === 0) log(`HTTP requests: ${i}`);
    }
    // Whatever the fuzzer started is stopped, then a normal request must work.
    const check = await TestSocket.open(host.port, host.token);
    try {
      const runs = await check.call<{ runs: RunInfo[] }>('runs.list', {});
      for (const r of runs.runs) if (r.state === 'queued' || r.state === 'training') await check.request('training.stop', { runId: r.runId });
      const summary = await check.call<{ totalParams: number }>('model.summary', { model: { template: 'lenet5' } });
      if (summary.totalParams !== 61706) throw new Error(`model.summary after fuzzing gave ${summary.totalParams} parameters`);
      const pid = host.engine.pid;
      if (!pid) throw new Error('the engine is not running after fuzzing');
      process.kill(pid, 0);
    } finally {
      check.close();
    }
    report.engineRestarts = restarts;
    report.seconds = (Date.now() - started) / 1000;
    return report;
  } finally {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
}
