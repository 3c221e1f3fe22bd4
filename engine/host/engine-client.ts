// The host's side of the engine process: forwards requests, relays events, and notices when the
// process dies. Pending requests then fail with 'engine-crashed', the UI hears an
// `engine.status` event, and the next request starts a fresh process.
import { ContractError, type Events, type Reply, type RequestChannel } from '../../common/ipc/contract';
import type { FromEngine, ToEngine } from './protocol';

/** A started engine process, whatever started it (child_process.fork, utilityProcess.fork). */
export interface EngineTransport {
  /**
   * `transfer`: MessagePorts handed to the engine with the message (Electron's utilityProcess only).
   * Throws an error with `engineGone: true` when the process is not running; any other throw is
   * about the message (it could not be serialized).
   */
  send(message: ToEngine, transfer?: unknown[]): void;
  onMessage(listener: (message: FromEngine) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export type EventListener = <E extends keyof Events>(event: E, payload: Events[E]) => void;

/** The host's end of a compute worker's connection relayed to the engine (the web host's /compute socket). */
export interface ComputeRelay {
  /** Bytes from the worker to the engine. */
  send(bytes: Uint8Array): void;
  close(): void;
}

export class EngineClient {
  private transport: EngineTransport | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private disposed = false;
  private nextLink = 1;
  private readonly links = new Map<string, { onBytes: (bytes: Uint8Array) => void; onClose: () => void }>();

  constructor(
    private readonly spawn: () => EngineTransport,
    private readonly onEvent: EventListener,
  ) {}

  get pid(): number | undefined {
    return this.transport?.pid;
  }

  private ensure(): EngineTransport {
    if (this.disposed) throw new ContractError('engine-crashed', 'The engine has been shut down.');
    if (this.transport) return this.transport;
    const t = this.spawn();
    this.transport = t;
    t.onMessage((m) => {
      if (!m || typeof m !== 'object') return;
      if (m.kind === 'reply') {
        this.pending.get(m.id)?.(m.reply);
        this.pending.delete(m.id);
      } else if (m.kind === 'event') {
        this.onEvent(m.event, m.payload as never);
      } else if (m.kind === 'compute') {
        this.links.get(m.link)?.onBytes(m.bytes);
      } else if (m.kind === 'compute-close') {
        const l = this.links.get(m.link);
        this.links.delete(m.link);
        l?.onClose();
      }
    });
    t.onExit((code) => {
      if (this.transport !== t) return;
      this.transport = null;
      const message = `The engine process stopped unexpectedly (exit code ${code ?? 'unknown'}). Your project and finished runs are safe; a run that was training has stopped — start it again.`;
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'engine-crashed', message } });
      this.pending.clear();
      // Compute workers were connected to the dead engine: their sockets close, and they reconnect.
      const links = [...this.links.values()];
      this.links.clear();
      for (const l of links) l.onClose();
      if (!this.disposed) this.onEvent('engine.status', { state: 'crashed', message });
    });
    return t;
  }

  invoke(channel: RequestChannel, payload: unknown): Promise<Reply> {
    return new Promise((resolve) => {
      let t: EngineTransport;
      try {
        t = this.ensure();
      } catch (e) {
        resolve({ ok: false, error: { code: 'engine-crashed', message: (e as Error).message } });
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, resolve);
      try {
        t.send({ kind: 'request', id, channel, payload });
      } catch (e) {
        this.pending.delete(id);
        // A send that throws while the engine runs failed on this message (it could not be
        // serialized), not on the engine: saying the engine crashed would be false.
        const running = this.transport === t && !(e as { engineGone?: boolean }).engineGone;
        resolve({
          ok: false,
          error: running
            ? { code: 'invalid-payload', message: `The ${channel} request could not be passed to the engine: ${(e as Error).message.slice(0, 200)}` }
            : { code: 'engine-crashed', message: `The engine process could not be reached: ${(e as Error).message}` },
        });
      }
    });
  }

  /**
   * Connects a compute worker's byte stream to the engine: `onBytes` receives the engine's
   * messages, `onClose` is called when the engine ends the link or dies.
   */
  openCompute(onBytes: (bytes: Uint8Array) => void, onClose: () => void): ComputeRelay {
    const link = `link-${this.nextLink++}`;
    let t: EngineTransport;
    try {
      t = this.ensure();
      t.send({ kind: 'compute-open', link });
    } catch {
      onClose();
      return { send: () => undefined, close: () => undefined };
    }
    this.links.set(link, { onBytes, onClose });
    return {
      send: (bytes) => {
        if (this.transport !== t || !this.links.has(link)) return;
        try {
          t.send({ kind: 'compute', link, bytes });
        } catch {
          /* the engine is gone; its exit closes this link */
        }
      },
      close: () => {
        if (!this.links.delete(link)) return;
        try {
          if (this.transport === t) t.send({ kind: 'compute-close', link });
        } catch {
          /* the engine is gone */
        }
      },
    };
  }

  /** Electron: hands the engine a MessagePort to a page's compute worker. */
  sendComputePort(port: unknown): void {
    try {
      this.ensure().send({ kind: 'compute-port', link: `port-${this.nextLink++}` }, [port]);
    } catch {
      /* no engine: the page's worker reconnects when it asks again */
    }
  }

  /** Kills the process (tests use this to simulate a crash). */
  kill(): void {
    this.transport?.kill();
  }

  dispose(): void {
    this.disposed = true;
    const t = this.transport;
    this.transport = null;
    t?.kill();
  }
}
