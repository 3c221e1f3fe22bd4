// The device domain of the contract: what this Glasswing is and where it computes — the engine
// process, each backend with why it is or is not available, a quick benchmark per backend — and
// the session plumbing a host answers itself (which runs' events a page follows).
import { z } from 'zod';

export interface BackendStatus {
  name: 'cpu' | 'wasm' | 'tensorflow' | 'webgpu' | 'webgl';
  available: boolean;
  /** Why it cannot be used, when it cannot: a sentence a person can act on. */
  reason?: string;
  device?: string;
  /** Things worth knowing when it is used (fallbacks, limits). */
  notes?: string[];
}

export interface AppInfo {
  name: 'Glasswing';
  version: string;
  /** The engine process, as the OS knows it (shown in the device panel). */
  enginePid: number;
  host: 'electron' | 'web' | 'memory';
  backends: BackendStatus[];
}

export const deviceRequests = {
  'app.info': z.object({}).strict(),
  'backend.bench': z.object({ backend: z.enum(['cpu', 'wasm', 'tensorflow']), seconds: z.number().min(1).max(30) }).strict(),
  /**
   * The page follows these keys (run, study, transfer ids; dataset refs): their events reach it.
   * Answered by the host; a page sends it again after it reconnects.
   */
  'session.follow': z.object({ keys: z.array(z.string().min(1).max(4096)).max(1000) }).strict(),
} as const;

export type EngineStatusEvent = { state: 'ready' | 'crashed'; message: string };

export interface DeviceResponses {
  'app.info': AppInfo;
  'backend.bench': { backend: string; device: string; trainSamplesPerSec: number; inferSamplesPerSec: number; model: string };
  'session.follow': { following: number };
}

export interface DeviceEvents {
  'engine.status': EngineStatusEvent;
}
