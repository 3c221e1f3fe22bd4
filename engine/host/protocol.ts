// Messages between a host (Electron main, the web host) and its engine process.
import type { Events, Reply } from '../../common/ipc/contract';

export type ToEngine =
  | { kind: 'request'; id: number; channel: string; payload: unknown }
  /** A page's compute worker connected to the web host (bytes relayed as they come, compute/wire.ts). */
  | { kind: 'compute-open'; link: string }
  | { kind: 'compute'; link: string; bytes: Uint8Array }
  | { kind: 'compute-close'; link: string }
  /** Electron: a MessagePort to a page's compute worker arrives with this message (in its ports). */
  | { kind: 'compute-port'; link: string };

export type FromEngine =
  | { kind: 'ready'; pid: number }
  | { kind: 'reply'; id: number; reply: Reply }
  | { kind: 'compute'; link: string; bytes: Uint8Array }
  | { kind: 'compute-close'; link: string }
  | { [E in keyof Events]: { kind: 'event'; event: E; payload: Events[E] } }[keyof Events];
