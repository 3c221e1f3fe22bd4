// Messages between the page and its compute worker (the worker's own link to the engine is
// compute/protocol.ts).
import type { ComputeReport } from '../../../compute/protocol';

export type PageToWorker =
  /** Connect to the engine: over the MessagePort sent with this message, or to the socket at `url`. */
  | { type: 'connect'; endpoint: 'port' | 'socket'; url?: string }
  /** The page is going away: tell the engine, so a run in progress ends cleanly. */
  | { type: 'closing' };

export type WorkerToPage = { type: 'ready'; report: ComputeReport } | { type: 'link-closed'; why: string };
