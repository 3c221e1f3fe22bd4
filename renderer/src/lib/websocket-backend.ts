// The Backend over the web host's WebSocket: the same requests and events as the desktop app.
// The socket reconnects by itself (with growing pauses, up to 5 s) and tells the host again which
// runs, studies and imports this page follows; requests made while it is down wait for it, and
// every request gives up after a time that suits its channel, with a message saying so.
import type { Backend, EventChannel, Events, Reply, RequestChannel } from '../../../common/ipc/contract';
import { ContractError } from '../../../common/ipc/errors';

type Pending = { resolve: (value: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };

/** Most requests answer in well under a minute; these may take much longer (large data, long jobs). */
const LONG_CHANNELS = new Set<RequestChannel>([
  'datasets.inspect',
  'datasets.upload',
  'inspect.audit',
  'inspect.sanity',
  'inspect.cam',
  'transfer.backbones',
  'transfer.start',
  'export.model',
  'backend.bench',
  'model.examples',
  'tuning.start',
  'training.start',
]);
const SHORT_TIMEOUT_MS = 60_000;
const LONG_TIMEOUT_MS = 30 * 60_000;

/** The replies whose value names something the page then follows (as the host does). */
const FOLLOW_ON_REPLY: Partial<Record<RequestChannel, string>> = { 'training.start': 'runId', 'tuning.start': 'studyId', 'transfer.start': 'transferId' };

export interface WebSocketBackendOptions {
  /** Called with true/false as the connection comes and goes (the UI shows a banner). */
  onConnection?: (connected: boolean) => void;
  /** The web host's compute socket for the page's compute worker (same token). */
  computeUrl?: string;
}

export function createWebSocketBackend(url: string, options: WebSocketBackendOptions = {}): Backend {
  let socket: WebSocket | null = null;
  let opening: Promise<WebSocket> | null = null;
  let nextId = 1;
  let retryMs = 250;
  let everOpened = false;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const following = new Set<string>();

  function onMessage(ev: MessageEvent): void {
    let msg: { kind?: string; id?: number; reply?: Reply; event?: string; payload?: unknown };
    try {
      msg = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    if (msg.kind === 'reply' && typeof msg.id === 'number') {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (!p || !msg.reply) return;
      clearTimeout(p.timer);
      if (msg.reply.ok) p.resolve(msg.reply.value);
      else p.reject(new ContractError(msg.reply.error.code, msg.reply.error.message));
    } else if (msg.kind === 'event' && msg.event) {
      for (const l of listeners.get(msg.event) ?? []) {
        try {
          l(msg.payload);
        } catch (e) {
          console.error(`A listener of ${msg.event} failed:`, e);
        }
      }
    }
  }

  function scheduleReconnect(): void {
    const wait = retryMs;
    retryMs = Math.min(5000, retryMs * 2);
    setTimeout(() => void connect().catch(() => undefined), wait);
  }

  function connect(): Promise<WebSocket> {
    if (socket) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      let opened = false;
      ws.onopen = () => {
        opened = true;
        everOpened = true;
        retryMs = 250;
        socket = ws;
        opening = null;
        options.onConnection?.(true);
        // A new socket is a new session on the host: it follows nothing until told again.
        if (following.size) ws.send(JSON.stringify({ kind: 'request', id: nextId++, channel: 'session.follow', payload: { keys: [...following].slice(-1000) } }));
        resolve(ws);
      };
      ws.onmessage = onMessage;
      ws.onclose = () => {
        socket = null;
        opening = null;
        if (opened) {
          options.onConnection?.(false);
          // Requests in flight are lost with the socket; their callers hear it at once.
          for (const [id, p] of pending) {
            clearTimeout(p.timer);
            p.reject(new ContractError('engine-crashed', 'The connection to the Glasswing web host was lost; it is reconnecting. Try again in a moment.'));
            pending.delete(id);
          }
        } else {
          reject(new ContractError('engine-crashed', everOpened ? 'The Glasswing web host is not answering; reconnecting…' : 'Cannot reach the Glasswing web host. Is `glasswing serve` still running, and did you open the URL it printed?'));
        }
        scheduleReconnect();
      };
    });
    opening.catch(() => undefined);
    return opening;
  }

  /** Resolves once connected, retrying until `deadline`. */
  async function connected(deadline: number): Promise<WebSocket> {
    for (;;) {
      try {
        return await connect();
      } catch (e) {
        if (Date.now() + retryMs > deadline) throw e;
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }

  return {
    async invoke(channel, payload) {
      const timeout = LONG_CHANNELS.has(channel) ? LONG_TIMEOUT_MS : SHORT_TIMEOUT_MS;
      const deadline = Date.now() + timeout;
      const ws = await connected(Math.min(deadline, Date.now() + 15_000));
      const id = nextId++;
      const value = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new ContractError('engine-crashed', `The engine did not answer ${channel} within ${Math.round(timeout / 1000)} s.`));
        }, deadline - Date.now());
        pending.set(id, { resolve, reject, timer });
        try {
          ws.send(JSON.stringify({ kind: 'request', id, channel, payload }));
        } catch (e) {
          clearTimeout(timer);
          pending.delete(id);
          reject(new ContractError('engine-crashed', `Could not send ${channel}: ${(e as Error).message}`));
        }
      });
      const key = FOLLOW_ON_REPLY[channel];
      if (key) following.add(String((value as Record<string, unknown>)[key]));
      if (channel === 'datasets.inspect') following.add((payload as { ref: string }).ref);
      return value as never;
    },
    on<E extends EventChannel>(event: E, listener: (payload: Events[E]) => void) {
      void connect().catch(() => undefined);
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    // A browser cannot tell a file's path (the page uploads instead) and has no native dialogs.
    platform: { kind: 'web', pathForFile: () => null, computeEndpoint: async () => (options.computeUrl ? { kind: 'socket', url: options.computeUrl } : null) },
    /** Follows runs (or studies, imports) this page did not start, e.g. one chosen in a list. */
    follow(keys: string[]) {
      const fresh = keys.filter((k) => !following.has(k));
      if (!fresh.length) return;
      for (const k of fresh) following.add(k);
      if (socket) socket.send(JSON.stringify({ kind: 'request', id: nextId++, channel: 'session.follow', payload: { keys: fresh } }));
    },
  };
}
