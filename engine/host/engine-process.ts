// Entry point of the engine process. Runs under Electron's utilityProcess (messages through
// process.parentPort) or a plain Node child (process.send), so that training never blocks a UI
// thread and a crash in TF.js or a native backend never takes the window down with it.
import { Engine } from '../engine';
import { Router } from '../../common/ipc/router';
import type { AppInfo } from '../../common/ipc/contract';
import { Places } from '../files/places';
import type { FromEngine, ToEngine } from './protocol';
import { ByteLink } from '../compute/compute-link';
import { PortLink, type MainPort } from '../compute/port-link';

// The kernels use every core here too, as in the CLI, although a window shares the machine: their
// threads take tasks from a shared list and poll for work between kernels, so a thread the UI
// pre-empts costs its current task, not a share of every kernel. On 2 cores (web host + Chromium,
// charts live, LeNet-5 on MNIST) the dashboard trained at 1.02 of the headless CLI's speed with 2
// kernel threads and at 0.73-0.75 with 1, with no long task on the page either way. (This process
// left one core to the UI while threads waited on a pre-empted helper's fixed share: 0.84 with 2
// threads then, 0.98 with 1.) GLASSWING_THREADS overrides, as everywhere.

interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown; ports?: MainPort[] }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function post(message: FromEngine): void {
  try {
    if (parentPort) parentPort.postMessage(message);
    else process.send?.(message);
  } catch (e) {
    // The host went away mid-message (it is shutting down); 'disconnect' ends this process.
    process.stderr.write(`glasswing engine: could not reach the host: ${(e as Error).message}\n`);
  }
}

const host = (process.env['GLASSWING_HOST'] ?? 'web') as AppInfo['host'];
const engine = new Engine((event, payload) => post({ kind: 'event', event, payload } as FromEngine), host, {}, {
  places: Places.fromEnv(),
  persistRuns: process.env['GLASSWING_PERSIST_RUNS'] !== '0',
  ...(process.env['GLASSWING_SESSION'] ? { session: process.env['GLASSWING_SESSION'] } : {}),
  ...(Number(process.env['GLASSWING_RUNS_IN_MEMORY']) > 0 ? { maxLoadedRuns: Number(process.env['GLASSWING_RUNS_IN_MEMORY']) } : {}),
});
// The host's router already checked sender and payload; this one routes and maps errors to replies.
const router = new Router(engine.handlers, { isTrustedSender: () => true, trustPayloads: true });

const log = (line: string) => process.stderr.write(`glasswing engine: ${line}\n`);

/** Compute workers connected through the web host, by link id (their bytes are relayed). */
const byteLinks = new Map<string, ByteLink>();

function onCompute(msg: ToEngine, ports: MainPort[] | undefined): void {
  if (msg.kind === 'compute-port') {
    const port = ports?.[0];
    if (port) engine.attachCompute(new PortLink(msg.link, port));
  } else if (msg.kind === 'compute-open') {
    const link = new ByteLink(msg.link, (bytes) => post({ kind: 'compute', link: msg.link, bytes }), log);
    byteLinks.set(msg.link, link);
    link.onClose(() => {
      byteLinks.delete(msg.link);
      post({ kind: 'compute-close', link: msg.link });
    });
    engine.attachCompute(link);
  } else if (msg.kind === 'compute' && msg.bytes instanceof Uint8Array) {
    byteLinks.get(msg.link)?.receive(msg.bytes);
  } else if (msg.kind === 'compute-close') {
    byteLinks.get(msg.link)?.ended();
  }
}

async function onMessage(raw: unknown, ports?: MainPort[]): Promise<void> {
  const msg = raw as ToEngine | null;
  if (!msg || typeof msg !== 'object' || typeof (msg as { link?: unknown }).link === 'string') {
    if (msg && typeof msg === 'object') onCompute(msg, ports);
    return;
  }
  if (msg.kind !== 'request' || typeof msg.id !== 'number') return;
  const reply = await router.handle(msg.channel, msg.payload, { origin: 'parent' });
  post({ kind: 'reply', id: msg.id, reply });
}

if (parentPort) parentPort.on('message', (e) => void onMessage(e.data, e.ports));
else if (process.send) process.on('message', (m) => void onMessage(m));
else {
  console.error('engine-process must be started by a Glasswing host (no IPC channel).');
  process.exit(2);
}
// A fault in a background task (a run's loop, a stray promise) is logged; the engine keeps serving.
process.on('uncaughtException', (e) => process.stderr.write(`glasswing engine: ${e.stack ?? e.message}\n`));
process.on('unhandledRejection', (e) => process.stderr.write(`glasswing engine: ${(e as Error)?.stack ?? String(e)}\n`));
// A parent that dies must not leave an orphan computing forever.
process.on('disconnect', () => process.exit(0));
post({ kind: 'ready', pid: process.pid });
