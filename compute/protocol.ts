// Messages between the engine and a compute worker (the page's Web Worker that trains on WebGPU or
// WebGL). The engine keeps datasets, projects and runs; for a GPU run it sends the worker the
// model (TF.js topology and starting weights) and the prepared data once, and the worker sends
// back the loop's events, the weights after every epoch (so the engine always holds the last good
// epoch), and at the end the final weights and the test split's predictions.
//
// Over a MessagePort (desktop) these objects travel by structured clone; over the web host's
// WebSocket they travel as compute/wire.ts bytes. What a worker sends is checked here
// (parseFromWorker) before the engine acts on it.
import { z } from 'zod';
import type { EpochRecord, OptimizerName, TrainingEvent } from '../common/ipc/contract';
import type { GpuAdapterSummary } from '../common/ipc/domains/device';
import type { AugmentOptions } from './augment';
import type { CallbackSettings } from './callbacks';
import type { ImagePreprocessing, Task } from './examples';

export type GpuBackend = 'webgpu' | 'webgl';

/** One weight tensor of a model, in model.getWeights() order. */
export interface WeightArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** The adapter as the contract describes it to the page (one definition: common/ipc/domains/device). */
export type GpuAdapterInfo = GpuAdapterSummary;

export interface GpuBackendReport {
  name: GpuBackend;
  available: boolean;
  /** Why it cannot be used: a sentence a person can act on. */
  reason?: string;
  /** What computes, e.g. "NVIDIA GeForce RTX 3060 (WebGPU, Vulkan)". */
  device?: string;
  software?: boolean;
  /** Fallbacks and limits worth knowing ("float32 render targets missing: …"). */
  notes: string[];
  /** Largest single buffer or texture the backend can allocate, in bytes (0 when unknown). */
  maxBufferBytes: number;
}

/** What a compute worker can do, sent when it connects. */
export interface ComputeReport {
  adapter: GpuAdapterInfo | null;
  backends: GpuBackendReport[];
  /** The browser or Electron that runs the worker (navigator.userAgent). */
  agent: string;
}

/** One split of the prepared data: rows into the shared pixel source, or float inputs. */
export interface SplitWire {
  /** Float inputs, count × size (tables, or images already as floats). Absent for pixel data. */
  x?: Float32Array;
  y: Float32Array;
  /** Source rows of the examples (indices into `pixels.source` for pixel data). */
  indices: Int32Array;
}

export interface DataWire {
  /** Values per example (product of the input shape). */
  size: number;
  /** Images as the dataset's 0–255 bytes, shared by the three splits and normalised per batch on the worker. */
  pixels?: { source: Uint8Array; preprocessing: ImagePreprocessing };
  train: SplitWire;
  validation: SplitWire;
  test: SplitWire;
}

export interface TrainJob {
  runId: string;
  backend: GpuBackend;
  /** The model as TF.js serialises it (model.toJSON), built by the engine. */
  topology: unknown;
  /** Starting weights (seeded initialisation, or an imported model's). */
  weights: WeightArray[];
  optimizer: OptimizerName;
  learningRate: number;
  task: Task;
  classes: string[];
  inputShape: number[];
  epochs: number;
  batchSize: number;
  seed: number;
  callbacks: CallbackSettings;
  augment?: AugmentOptions;
  data: DataWire;
  /** Pause at once when the run starts (paused while it was queued). */
  startPaused?: boolean;
}

/** What compute/step-timer times: a model's training and inference steps on random data. */
export interface StepTimerRequest {
  topology: unknown;
  inputShape: number[];
  task: Task;
  classes: number;
  batchSize: number;
  /** Stop timing after about this long (the first step, which compiles shaders, is not counted). */
  budgetMs: number;
}

/** A step-timing request addressed to one GPU backend of the worker. */
export interface TimeRequest extends StepTimerRequest {
  id: number;
  backend: GpuBackend;
}

export type ToWorker =
  | { type: 'train'; job: TrainJob }
  | { type: 'control'; runId: string; action: 'pause' | 'resume' | 'stop' }
  | ({ type: 'time' } & TimeRequest);

export interface RunOutcome {
  history: EpochRecord[];
  stopped: boolean;
  stopReason?: string;
  restoredEpoch?: number;
}

export type LoopEvent = Extract<TrainingEvent, { type: 'batch' | 'paused' | 'resumed' }>;
export type EpochEvent = Extract<TrainingEvent, { type: 'epoch' }>;

export type FromWorker =
  | { type: 'hello'; report: ComputeReport }
  | { type: 'event'; event: LoopEvent }
  /** An epoch ended: its record and its weights together, so the engine applies them before anyone hears of it. */
  | { type: 'epoch'; event: EpochEvent; weights: WeightArray[] }
  | { type: 'done'; runId: string; outcome: RunOutcome; weights: WeightArray[]; predictions: Float32Array; memory: { tensorsBefore: number; tensorsAfter: number } }
  | { type: 'failed'; runId: string; message: string; history: EpochRecord[] }
  | { type: 'timed'; id: number; trainMsPerStep?: number; inferMsPerStep?: number; firstStepMs?: number; error?: string }
  /** The page is closing: a run in progress ends with the last epoch's weights. */
  | { type: 'closing' };

// ---- Checking what a worker sends ----

const finite = z.number();
const epochRecord = z
  .object({
    epoch: z.number().int().min(0),
    loss: finite,
    accuracy: finite,
    valLoss: finite.nullable(),
    valAccuracy: finite.nullable(),
    samplesPerSec: finite,
    seconds: finite,
    learningRate: finite,
  })
  .strict();
const weightArray = z.object({ name: z.string().max(1000), shape: z.array(z.number().int().min(0)).max(8), values: z.instanceof(Float32Array) }).strict();
const weights = z.array(weightArray).max(100_000);
const runId = z.string().min(1).max(200);
const backendReport = z
  .object({
    name: z.enum(['webgpu', 'webgl']),
    available: z.boolean(),
    reason: z.string().max(2000).optional(),
    device: z.string().max(500).optional(),
    software: z.boolean().optional(),
    notes: z.array(z.string().max(2000)).max(20),
    maxBufferBytes: z.number().min(0),
  })
  .strict();
const report = z
  .object({
    adapter: z
      .object({
        vendor: z.string().max(200),
        architecture: z.string().max(200),
        device: z.string().max(200),
        description: z.string().max(500),
        software: z.boolean(),
        limits: z.record(z.string().max(100), z.number()),
      })
      .strict()
      .nullable(),
    backends: z.array(backendReport).max(4),
    agent: z.string().max(1000),
  })
  .strict();
const loopEvent = z.union([
  z.object({ type: z.literal('batch'), runId, epoch: z.number().int(), batch: z.number().int(), batchesPerEpoch: z.number().int(), loss: finite, accuracy: finite, samplesPerSec: finite }).strict(),
  z.object({ type: z.enum(['paused', 'resumed']), runId }).strict(),
]);

const fromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), report }).strict(),
  z.object({ type: z.literal('event'), event: loopEvent }).strict(),
  z.object({ type: z.literal('epoch'), event: epochRecord.extend({ type: z.literal('epoch'), runId }).strict(), weights }).strict(),
  z
    .object({
      type: z.literal('done'),
      runId,
      outcome: z.object({ history: z.array(epochRecord), stopped: z.boolean(), stopReason: z.string().max(2000).optional(), restoredEpoch: z.number().int().optional() }).strict(),
      weights,
      predictions: z.instanceof(Float32Array),
      memory: z.object({ tensorsBefore: z.number(), tensorsAfter: z.number() }).strict(),
    })
    .strict(),
  z.object({ type: z.literal('failed'), runId, message: z.string().max(5000), history: z.array(epochRecord) }).strict(),
  z
    .object({
      type: z.literal('timed'),
      id: z.number().int(),
      trainMsPerStep: z.number().optional(),
      inferMsPerStep: z.number().optional(),
      firstStepMs: z.number().optional(),
      error: z.string().max(2000).optional(),
    })
    .strict(),
  z.object({ type: z.literal('closing') }).strict(),
]);

/** The message if it is one a worker may send, else null (the caller drops it and says so). */
export function parseFromWorker(message: unknown): FromWorker | null {
  const r = fromWorker.safeParse(message);
  return r.success ? (r.data as FromWorker) : null;
}
