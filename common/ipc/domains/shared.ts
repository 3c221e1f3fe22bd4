// Schemas more than one contract domain uses, in a module of their own so domains never import
// each other.
import { z } from 'zod';
import type { ModelTopology } from '../../model/keras-format';

export const runIdSchema = z.string().min(1).max(100);

// Keras JSON is validated for its outer form here; the engine checks layer by layer.
export const topologySchema = z.custom<ModelTopology>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { class_name?: unknown }).class_name === 'string' &&
    typeof (v as { config?: unknown }).config === 'object' &&
    (v as { config?: unknown }).config !== null &&
    Array.isArray((v as { config: { layers?: unknown } }).config.layers),
  { message: 'expected Keras model JSON with class_name and config.layers' },
);

/** A path the user chose or typed (never NUL, never empty). */
export const pathSchema = z.string().min(1).max(4096).refine((s) => !s.includes('\0'), 'a path without NUL characters');

export const modelSourceSchema = z.union([
  z.object({ template: z.string().min(1).max(100) }).strict(),
  z.object({ topology: topologySchema }).strict(),
  /**
   * A model file: a TF.js model folder or model.json, a PyTorch export (.onnx), a Keras 3 model
   * (.keras) or a Keras 2 model (.h5). Training starts from its weights (fine-tuning).
   */
  z
    .object({
      file: pathSchema,
      /** How images are scaled for it (imported files only; default: detected). */
      preprocess: z.enum(['imagenet', 'unit', 'none']).optional(),
      /** Class names, one per line (.txt) or a JSON array (.json). */
      classesFile: pathSchema.optional(),
    })
    .strict(),
]);
export type ModelSource = z.infer<typeof modelSourceSchema>;

/** The datasets that ship with Glasswing, by id. */
export const BUILTIN_DATASET_IDS: readonly string[] = ['iris', 'mnist', 'watermark'];

/** A built-in dataset id ('iris', 'mnist', 'watermark') or a path to a CSV file or image folder. */
export const datasetRefSchema = z.string().min(1).max(4096).refine((s) => !s.includes('\0'), 'a path without NUL characters');

