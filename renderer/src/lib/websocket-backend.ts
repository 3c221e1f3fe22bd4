// The Backend over the web host's WebSocket: the same requests and events as the desktop app.
// Reconnects after a dropped connection; requests made while disconnected wait for it.
import type { Backend, EventChannel, Events, Reply } from '../../../common/ipc/contract';
import { ContractError } from '../../../common/ipc/errors';

type Pending = { resolve: (value: unknown) => void; reject: (e: Error) => void };

export function createWebSocketBackend(url: string): Backend {
  let socket: WebSocket | null = null;
  let open: Promise<WebSocket> | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  function connect(): Promise<WebSocket> {
    if (open) return open;
    open = new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new ContractError('engine-crashed', 'Cannot reach the Glasswing web host. Is `glasswing serve` still running?'));
      ws.onclose = () => {
        socket = null;
        open = null;
        for (const p of pending.values()) p.reject(new ContractError('engine-crashed', 'The connection to the Glasswing web host was lost.'));
        pending.clear();
      };
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as { kind: string; id?: number; reply?: Reply; event?: string; payload?: unknown };
        if (msg.kind === 'reply' && typeof msg.id === 'number') {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          if (!p || !msg.reply) return;
          if (msg.reply.ok) p.resolve(msg.reply.value);
          else p.reject(new ContractError(msg.reply.error.code, msg.reply.error.message));
        } else if (msg.kind === 'event' && msg.event) {
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
        }
      };
    });
    open.catch(() => (open = null));
    return open;
  }

  return {
    async invoke(channel, payload) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ kind: 'request', id, channel, payload }));
      });
    },
    on<E extends EventChannel>(event: E, listener: (payload: Events[E]) => void) {
      void connect().catch(() => undefined);
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
}
