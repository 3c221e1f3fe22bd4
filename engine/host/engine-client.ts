// The host's side of the engine process: forwards requests, relays events, and notices when the
// process dies. Pending requests then fail with 'engine-crashed', the UI hears an
// `engine.status` event, and the next request starts a fresh process.
import { ContractError, type Events, type Reply, type RequestChannel } from '../../common/ipc/contract';
import type { FromEngine, ToEngine } from './protocol';

/** A started engine process, whatever started it (child_process.fork, utilityProcess.fork). */
export interface EngineTransport {
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export type EventListener = <E extends keyof Events>(event: E, payload: Events[E]) => void;

export class EngineClient {
  private transport: EngineTransport | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private disposed = false;

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
      }
    });
    t.onExit((code) => {
      if (this.transport !== t) return;
      this.transport = null;
      const message = `The engine process stopped unexpectedly (exit code ${code ?? 'unknown'}). Your project and finished runs are safe; a run that was training has stopped — start it again.`;
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'engine-crashed', message } });
      this.pending.clear();
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
        resolve({ ok: false, error: { code: 'engine-crashed', message: `The engine process could not be reached: ${(e as Error).message}` } });
      }
    });
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
