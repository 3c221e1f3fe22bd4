// The training domain of the contract: settings (with the one set of defaults every caller uses),
// starting, pausing and stopping named runs, the events a run streams, and what a finished run
// reports. Every training message carries its run id; a run waits in a queue while another one
// holds the TF.js engine, and says so.
import { z } from 'zod';
import type { ModelTopology } from '../../model/keras-format';
import { datasetRefSchema, modelSourceSchema, runIdSchema } from './shared';

export const BACKEND_NAMES = ['auto', 'cpu', 'wasm', 'tensorflow', 'webgpu', 'webgl'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
/** Backends that need a GPU context of the page (a compute worker), not the engine process. */
export const GPU_BACKENDS = ['webgpu', 'webgl'] as const;
export type GpuBackendName = (typeof GPU_BACKENDS)[number];
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

const monitorSchema = z.enum(['valLoss', 'valAccuracy', 'loss', 'accuracy']);

/** How a non-numeric cell in a numeric column is handled (tables). */
export const BAD_VALUE_ACTIONS = ['missing', 'drop'] as const;

export const trainingSettingsSchema = z
  .object({
    epochs: z.number().int().min(1).max(100_000),
    batchSize: z.number().int().min(1).max(65_536),
    learningRate: z.number().positive().max(10),
    optimizer: z.enum(OPTIMIZERS),
    validationSplit: z.number().min(0).max(0.9),
    testSplit: z.number().min(0).max(0.9),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    backend: z.enum(BACKEND_NAMES),
    labelColumn: z.string().max(500).optional(),
    /** How the dataset is read (tables: columns; image folders: size and colour). */
    categorical: z.array(z.string().max(500)).max(1000).optional(),
    ignore: z.array(z.string().max(500)).max(1000).optional(),
    /** Numeric columns whose non-numeric cells count as missing (imputed) or drop their rows. */
    badValues: z.record(z.string().max(500), z.enum(BAD_VALUE_ACTIONS)).optional(),
    imageHeight: z.number().int().min(4).max(1024).optional(),
    imageWidth: z.number().int().min(4).max(1024).optional(),
    color: z.enum(['grayscale', 'rgb']).optional(),
    /** Callbacks, as Keras has them. */
    earlyStopping: z.object({ monitor: monitorSchema, patience: z.number().int().min(1).max(10_000), restoreBestWeights: z.boolean() }).strict().optional(),
    reduceLrOnPlateau: z.object({ monitor: monitorSchema, factor: z.number().gt(0).lt(1), patience: z.number().int().min(1).max(10_000), minLr: z.number().min(0) }).strict().optional(),
    keepBest: z.object({ monitor: monitorSchema }).strict().optional(),
    /** Image augmentation, applied on the fly to training batches only. */
    augment: z
      .object({ flip: z.boolean().optional(), rotation: z.number().min(0).max(45).optional(), shift: z.number().min(0).max(0.5).optional(), zoom: z.number().min(0).max(0.5).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type TrainingSettings = z.infer<typeof trainingSettingsSchema>;

/**
 * The one set of training defaults: the UI's first settings, the CLI's flags left out, and the base
 * of a tuning study. Built-in samples suggest their own (TRAINING_SUGGESTIONS).
 */
export const TRAINING_DEFAULTS: TrainingSettings = {
  epochs: 20,
  batchSize: 32,
  learningRate: 0.01,
  optimizer: 'adam',
  validationSplit: 0.2,
  testSplit: 0.2,
  seed: 1,
  backend: 'auto',
};

/** Settings that train each built-in sample well in a minute or less. */
export const TRAINING_SUGGESTIONS: Record<string, Partial<TrainingSettings>> = {
  iris: { epochs: 100, batchSize: 16, learningRate: 0.01 },
  mnist: { epochs: 3, batchSize: 64, learningRate: 0.001 },
  watermark: { epochs: 8, batchSize: 32, learningRate: 0.001 },
  table: { epochs: 100, batchSize: 16, learningRate: 0.01 },
  images: { epochs: 3, batchSize: 64, learningRate: 0.001 },
};

/** The keys of the settings that say how a dataset is read (not how the model trains). */
export const DATA_READING_KEYS = ['labelColumn', 'categorical', 'ignore', 'badValues', 'imageHeight', 'imageWidth', 'color'] as const;

/**
 * A name people read (a run's, a model's): no control characters, and none of the bidirectional
 * overrides that make a name display as something else than it is ("Run 1\u202Egnp.exe").
 */
const displayNameSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(s), 'a name without control or text-direction characters');

export const trainingRequests = {
  'training.start': z
    .object({
      model: modelSourceSchema,
      dataset: datasetRefSchema,
      settings: trainingSettingsSchema,
      /** The run's name everywhere it appears (default "Run N"). */
      name: displayNameSchema.optional(),
      /** What the model is called (a template's name, "Your model", an imported file's name). */
      modelName: displayNameSchema.optional(),
    })
    .strict(),
  'training.pause': z.object({ runId: runIdSchema }).strict(),
  'training.resume': z.object({ runId: runIdSchema }).strict(),
  'training.stop': z.object({ runId: runIdSchema }).strict(),
  /** Every run this engine knows of (this session's, and those persisted), newest last. */
  'runs.list': z.object({}).strict(),
  'runs.rename': z.object({ runId: runIdSchema, name: displayNameSchema }).strict(),
} as const;

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

export type RunState = 'queued' | 'training' | 'finished' | 'failed';

/** A run as every view names it: one name, its data set and its model. */
export interface RunInfo {
  runId: string;
  name: string;
  createdAt: string;
  state: RunState;
  dataset: { ref: string; name: string; kind: 'table' | 'images'; task: 'classification' | 'regression' };
  model: { name: string; totalParams: number };
  settings: TrainingSettings;
  backend: string | null;
  epochs: number;
  classes: string[];
  inputShape: number[];
  testAccuracy: number | null;
  testCount: number;
  stopped: boolean;
  message: string | null;
  /** What Glasswing assumed about the model (an imported file's preprocessing, classes, check). */
  notes: string[];
}

export type TrainingEvent =
  | { type: 'queued'; runId: string; position: number; info: RunInfo }
  | {
      type: 'started';
      runId: string;
      backend: string;
      device: string;
      /** Why this backend trains (auto's reasoning, or "you chose it"). */
      reason: string;
      epochs: number;
      batchesPerEpoch: number;
      trainExamples: number;
      valExamples: number;
      testExamples: number;
      totalParams: number;
      info: RunInfo;
    }
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
      info: RunInfo;
      /** The model as it was trained (Keras JSON), for the run's record in the project. */
      topology: ModelTopology;
    }
  | { type: 'failed'; runId: string; message: string; info?: RunInfo };

export interface TrainingResponses {
  'training.start': { runId: string; state: 'queued' | 'training'; position: number; info: RunInfo };
  'training.pause': { ok: true };
  'training.resume': { ok: true };
  'training.stop': { ok: true };
  'runs.list': { runs: RunInfo[] };
  'runs.rename': RunInfo;
}

export interface TrainingEvents {
  'training.event': TrainingEvent;
}
