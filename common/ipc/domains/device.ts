// The device domain of the contract: what this Glasswing is and where it computes — the engine
// process, each backend with why it is or is not available, a quick benchmark per backend — and
// the session plumbing a host answers itself (which runs' events a page follows).
import { z } from 'zod';
import { datasetRefSchema, topologySchema } from './shared';

export interface BackendStatus {
  name: 'cpu' | 'wasm' | 'tensorflow' | 'webgpu' | 'webgl';
  available: boolean;
  /** Why it cannot be used, when it cannot: a sentence a person can act on. */
  reason?: string;
  device?: string;
  /** Things worth knowing when it is used (fallbacks, limits). */
  notes?: string[];
}

/** The GPU a page's compute worker reaches through WebGPU (null when it has none). */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software rasteriser (SwiftShader, llvmpipe): correct, but slower than the CPU. */
  software: boolean;
  limits: Record<string, number>;
}

export interface AppInfo {
  name: 'Glasswing';
  version: string;
  /** The engine process, as the OS knows it (shown in the device panel). */
  enginePid: number;
  host: 'electron' | 'web' | 'memory';
  backends: BackendStatus[];
  /** GPU compute as the connected page's worker reports it; null when no page computes. */
  gpu: { adapter: GpuAdapterSummary | null; agent: string } | null;
}

export const deviceRequests = {
  'app.info': z.object({}).strict(),
  /**
   * Times training steps (batch 64) and inference on one backend: of LeNet-5 by default, or of the
   * model given (a template, adapted to `dataset`, or a topology as the Build view holds it).
   */
  'backend.bench': z
    .object({
      backend: z.enum(['cpu', 'wasm', 'tensorflow', 'webgpu', 'webgl']),
      seconds: z.number().min(1).max(30),
      model: z.union([z.object({ template: z.string().min(1).max(100) }).strict(), z.object({ topology: topologySchema }).strict()]).optional(),
      dataset: datasetRefSchema.optional(),
    })
    .strict(),
  /**
   * The page follows these keys (run, study, transfer ids; dataset refs): their events reach it.
   * Answered by the host; a page sends it again after it reconnects.
   */
  'session.follow': z.object({ keys: z.array(z.string().min(1).max(4096)).max(1000) }).strict(),
} as const;

export type EngineStatusEvent = { state: 'ready' | 'crashed'; message: string };

export interface DeviceResponses {
  'app.info': AppInfo;
  'backend.bench': {
    backend: string;
    device: string;
    trainSamplesPerSec: number;
    inferSamplesPerSec: number;
    model: string;
    /** The first training step (shader compilation and allocation on a GPU), in ms. */
    firstStepMs?: number;
  };
  'session.follow': { following: number };
}

export interface DeviceEvents {
  'engine.status': EngineStatusEvent;
  /** A page's compute worker connected or left: the backends on offer changed. */
  'device.changed': { reason: string };
}
