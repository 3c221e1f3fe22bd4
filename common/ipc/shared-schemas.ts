// Schemas used by more than one contract domain (the core contract and tuning), in a module of
// their own so the domains can share them without importing each other.
import { z } from 'zod';
import type { ModelTopology } from '../model/keras-format';

export const BACKEND_NAMES = ['auto', 'cpu', 'wasm', 'tensorflow'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

// Keras JSON is validated for its outer form here; the engine checks layer by layer.
export const topologySchema = z.custom<ModelTopology>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { class_name?: unknown }).class_name === 'string' &&
    typeof (v as { config?: unknown }).config === 'object' &&
    Array.isArray((v as { config: { layers?: unknown } }).config.layers),
  { message: 'expected Keras model JSON with class_name and config.layers' },
);

export const modelSourceSchema = z.union([
  z.object({ template: z.string().min(1).max(100) }).strict(),
  z.object({ topology: topologySchema }).strict(),
]);
export type ModelSource = z.infer<typeof modelSourceSchema>;

/** A built-in dataset id ('iris', 'mnist') or a path to a CSV file or image folder. */
export const datasetRefSchema = z.string().min(1).max(4096);

const monitorSchema = z.enum(['valLoss', 'valAccuracy', 'loss', 'accuracy']);

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
