// Messages between a host (Electron main, the web host) and its engine process.
import type { Events, Reply } from '../../common/ipc/contract';

export type ToEngine = { kind: 'request'; id: number; channel: string; payload: unknown };

export type FromEngine =
  | { kind: 'ready'; pid: number }
  | { kind: 'reply'; id: number; reply: Reply }
  | { [E in keyof Events]: { kind: 'event'; event: E; payload: Events[E] } }[keyof Events];
