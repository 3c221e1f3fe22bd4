// One connection between the engine and a page's compute worker, whatever carries it: a
// MessagePort from Electron's main process (objects by structured clone), or the web host's
// WebSocket relayed through the host process (compute/wire.ts bytes; see byteLink).
import type { ToWorker } from '../../compute/protocol';
import { decode, encode } from '../../compute/wire';

export interface ComputeLink {
  readonly id: string;
  send(message: ToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The other end went away (page closed, worker terminated, socket dropped). Called once. */
  onClose(listener: () => void): void;
  close(): void;
}

/** A link over a byte transport: messages are encoded with compute/wire.ts both ways. */
export class ByteLink implements ComputeLink {
  private readonly messageListeners: ((m: unknown) => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly id: string,
    private readonly sendBytes: (bytes: Uint8Array) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Bytes from the worker: decoded, or dropped with a line in the log when malformed. */
  receive(bytes: Uint8Array): void {
    let message: unknown;
    try {
      message = decode(bytes);
    } catch (e) {
      this.log(`compute link ${this.id}: ${(e as Error).message}`);
      return;
    }
    for (const l of this.messageListeners) l(message);
  }

  send(message: ToWorker): void {
    if (this.closed) return;
    this.sendBytes(encode(message));
  }

  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /** The transport closed. */
  ended(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l();
  }

  close(): void {
    this.ended();
  }
}
