// The one contract between the workbench UI and the engine. Electron's preload, the web host's
// WebSocket and in-memory tests all carry exactly these requests and events; the router
// validates every payload against the schemas here before anything reaches the engine.
import { z } from 'zod';
import type { ModelSummary } from '../model/summary';
import type { ModelTopology } from '../model/keras-format';
import type { TemplateInfo } from '../model/templates';
import type { ProjectFile } from '../project/project-file';
import { EVENT_CHANNEL_NAMES, REQUEST_CHANNEL_NAMES } from './channels';
import { inspectRequests, type InspectEvents, type InspectResponses } from './domains/inspect';
import { tuningRequests, type TuningEvents, type TuningResponses } from './domains/tuning';

export {
  BACKEND_NAMES,
  OPTIMIZERS,
  trainingSettingsSchema,
  type BackendName,
  type OptimizerName,
  type ModelSource,
  type TrainingSettings,
} from './shared-schemas';
import { datasetRefSchema, modelSourceSchema, trainingSettingsSchema, type BackendName, type TrainingSettings } from './shared-schemas';

export const DEFAULT_TRAINING_SETTINGS: TrainingSettings = {
  epochs: 50,
  batchSize: 16,
  learningRate: 0.01,
  optimizer: 'adam',
  validationSplit: 0.2,
  testSplit: 0.2,
  seed: 1,
  backend: 'auto',
};

const runIdSchema = z.object({ runId: z.string().min(1).max(100) }).strict();

export const datasetOptionsSchema = z
  .object({
    labelColumn: z.string().max(500).optional(),
    categorical: z.array(z.string().max(500)).max(1000).optional(),
    ignore: z.array(z.string().max(500)).max(1000).optional(),
    height: z.number().int().min(4).max(1024).optional(),
    width: z.number().int().min(4).max(1024).optional(),
    color: z.enum(['grayscale', 'rgb']).optional(),
  })
  .strict();
export type DatasetOptions = z.infer<typeof datasetOptionsSchema>;

export interface DatasetProgressEvent {
  ref: string;
  phase: string;
  done: number;
  total: number;
  rate: number;
  etaSeconds: number | null;
  skipped: number;
}

export interface BackendStatus {
  name: Exclude<BackendName, 'auto'>;
  available: boolean;
  /** Why it cannot be used, when it cannot. */
  reason?: string;
  device?: string;
}

export interface DatasetInfo {
  id: string;
  name: string;
  description: string;
  kind: 'table' | 'images';
  examples: number;
  inputShape: number[];
  classes: string[];
  /** Classification unless said otherwise (a numeric label to predict is regression). */
  task?: 'classification' | 'regression';
}

export interface EvaluationMetrics {
  accuracy: number;
  /** Macro averages over classes. */
  precision: number;
  recall: number;
  f1: number;
  perClass: { className: string; precision: number; recall: number; f1: number; support: number }[];
  /** confusion[actual][predicted] */
  confusion: number[][];
  classes: string[];
  examples: number;
}

export interface RegressionMetrics {
  mae: number;
  rmse: number;
  r2: number;
  examples: number;
  /** [actual, predicted] for up to 1,000 test examples: the predicted-vs-actual scatter. */
  points: [number, number][];
}

export interface EpochRecord {
  epoch: number;
  learningRate: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  samplesPerSec: number;
  seconds: number;
}

export type TrainingEvent =
  | { type: 'started'; runId: string; backend: string; device: string; epochs: number; batchesPerEpoch: number; trainExamples: number; valExamples: number; testExamples: number; totalParams: number }
  | { type: 'batch'; runId: string; epoch: number; batch: number; batchesPerEpoch: number; loss: number; accuracy: number; samplesPerSec: number }
  | ({ type: 'epoch'; runId: string } & EpochRecord)
  | { type: 'paused' | 'resumed'; runId: string }
  | {
      type: 'finished';
      runId: string;
      stopped: boolean;
      stopReason?: string;
      restoredEpoch?: number;
      history: EpochRecord[];
      test: EvaluationMetrics | null;
      regression?: RegressionMetrics | null;
      backend: string;
    }
  | { type: 'failed'; runId: string; message: string };

export type EngineStatusEvent = { state: 'ready' | 'crashed'; message: string };

const coreRequests = {
  'app.info': z.object({}).strict(),
  'templates.list': z.object({}).strict(),
  'datasets.list': z.object({}).strict(),
  'model.summary': z.object({ model: modelSourceSchema, dataset: datasetRefSchema.optional(), labelColumn: z.string().max(500).optional() }).strict(),
  'training.start': z.object({ model: modelSourceSchema, dataset: datasetRefSchema, settings: trainingSettingsSchema }).strict(),
  'training.pause': runIdSchema,
  'training.resume': runIdSchema,
  'training.stop': runIdSchema,
  'model.predict': z.object({ runId: z.string().min(1).max(100), inputs: z.array(z.array(z.union([z.number(), z.string().max(1000), z.null()])).max(1_000_000)).min(1).max(10_000) }).strict(),
  'project.save': z.object({ path: z.string().min(1).max(4096), project: z.custom<ProjectFile>((v) => typeof v === 'object' && v !== null, { message: 'expected a project' }) }).strict(),
  'project.open': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'project.recent': z.object({}).strict(),
  'model.describe': runIdSchema,
  'model.predictImage': z.object({ runId: z.string().min(1).max(100), imageBase64: z.string().min(1).max(32 * 1024 * 1024) }).strict(),
  'model.examples': z
    .object({ runId: z.string().min(1).max(100), actual: z.number().int().min(0).max(10_000), predicted: z.number().int().min(0).max(10_000), limit: z.number().int().min(1).max(200) })
    .strict(),
  'backend.bench': z.object({ backend: z.enum(['cpu', 'wasm', 'tensorflow']), seconds: z.number().min(1).max(30) }).strict(),
  'datasets.inspect': z.object({ ref: datasetRefSchema, options: datasetOptionsSchema }).strict(),
  'datasets.cancel': z.object({ ref: datasetRefSchema }).strict(),
  'datasets.upload': z
    .object({
      /** Folder name the upload lands in (under the projects folder's uploads/). */
      name: z.string().min(1).max(200).regex(/^[^/\\]+$/, 'a name without slashes'),
      files: z.array(z.object({ path: z.string().min(1).max(1000), base64: z.string().max(48 * 1024 * 1024) }).strict()).min(1).max(20_000),
      /** First chunk of an upload: clears what an earlier upload of the same name left. */
      fresh: z.boolean(),
    })
    .strict(),
} as const;

/** Every request: its payload schema and (as a type) its response. */
export const requestSchemas = { ...coreRequests, ...inspectRequests, ...tuningRequests } as const satisfies Record<(typeof REQUEST_CHANNEL_NAMES)[number], z.ZodType>;

export type RequestChannel = keyof typeof requestSchemas;
export const REQUEST_CHANNELS: readonly RequestChannel[] = REQUEST_CHANNEL_NAMES;

export interface AppInfo {
  name: 'Glasswing';
  version: string;
  /** The engine process, as the OS knows it (shown in the device panel). */
  enginePid: number;
  host: 'electron' | 'web' | 'memory';
  backends: BackendStatus[];
}

export interface Responses extends InspectResponses, TuningResponses {
  'app.info': AppInfo;
  'templates.list': TemplateInfo[];
  'datasets.list': DatasetInfo[];
  'model.summary': ModelSummary & { topology: ModelTopology | null };
  'training.start': { runId: string };
  'training.pause': { ok: true };
  'training.resume': { ok: true };
  'training.stop': { ok: true };
  'model.predict': { classes: string[]; probabilities: number[][]; predicted: number[] };
  'project.save': { path: string; savedAt: string };
  'project.open': { path: string; project: ProjectFile };
  'project.recent': { directory: string; recent: { path: string; name: string; savedAt: string }[] };
  'model.describe': ModelDescription;
  'model.predictImage': { classes: string[]; probabilities: number[][]; predicted: number[] };
  'model.examples': { examples: { index: number; confidence: number; thumbnail: string | null; values: (string | number)[] | null }[]; total: number };
  'backend.bench': { backend: string; device: string; trainSamplesPerSec: number; inferSamplesPerSec: number; model: string };
  'datasets.inspect': DatasetInspectionSummary;
  'datasets.cancel': { ok: true };
  'datasets.upload': { ref: string; files: number };
}

/** What a trained model takes and gives, for the predict form. */
export interface ModelDescription {
  runId: string;
  task: 'classification' | 'regression';
  kind: 'table' | 'image';
  classes: string[];
  inputShape: number[];
  /** Tables: one entry per raw column the model reads, with categories for categorical ones. */
  columns: { name: string; type: 'numeric' | 'categorical'; categories?: string[]; example?: number | string }[];
}

/** What the importer sees (engine/datasets/inspect.ts DatasetInspection, as sent to the UI). */
export interface DatasetInspectionSummary {
  ref: string;
  name: string;
  kind: 'table' | 'images';
  task: 'classification' | 'regression' | null;
  count: number;
  labelColumn: string | null;
  columns: {
    name: string;
    role: 'feature' | 'label' | 'ignored';
    type: 'numeric' | 'categorical';
    missing: number;
    distinct: number;
    stats: { min: number; max: number; mean: number; std: number } | null;
    categories: { value: string; count: number }[] | null;
  }[];
  classes: { name: string; count: number }[];
  imbalance: { largest: string; smallest: string; ratio: number } | null;
  inputShape: number[] | null;
  header: string[];
  firstRows: string[][];
  sampleImages: { class: string; file: string; dataUrl: string }[];
  report: { found: number; imported: number; skipped: { file: string; reason: string }[]; fromCache: boolean; seconds: number } | null;
  problems: { severity: 'error' | 'warning'; message: string; line?: number; column?: string; fix?: { option: 'categorical' | 'ignore'; column: string } }[];
  ok: boolean;
}

export type RequestPayload<C extends RequestChannel> = z.infer<(typeof requestSchemas)[C]>;
export type ResponseOf<C extends RequestChannel> = Responses[C];

export interface Events extends InspectEvents, TuningEvents {
  'training.event': TrainingEvent;
  'engine.status': EngineStatusEvent;
  'dataset.progress': DatasetProgressEvent;
}
export type EventChannel = keyof Events;
export const EVENT_CHANNELS: readonly EventChannel[] = EVENT_CHANNEL_NAMES;

export { ContractError, type ErrorCode } from './errors';
import type { ErrorCode } from './errors';

export type Reply<T = unknown> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string } };

/** What the renderer depends on; Electron, the web host and tests each implement it. */
export interface Backend {
  invoke<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(event: E, listener: (payload: Events[E]) => void): () => void;
}
