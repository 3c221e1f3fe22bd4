// A link over a MessagePort from Electron's main process (MessagePortMain in the engine's utility
// process): objects travel by structured clone, typed arrays included, so no encoding is needed.
import type { ToWorker } from '../../compute/protocol';
import type { ComputeLink } from './compute-link';

/** The part of Electron's MessagePortMain a link uses. */
export interface MainPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

export class PortLink implements ComputeLink {
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    readonly id: string,
    private readonly port: MainPort,
  ) {
    port.on('close', () => this.ended());
  }

  send(message: ToWorker): void {
    if (!this.closed) this.port.postMessage(message);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.port.on('message', (e) => listener(e.data));
    this.port.start();
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
  }

  close(): void {
    this.port.close();
    this.ended();
  }
}
