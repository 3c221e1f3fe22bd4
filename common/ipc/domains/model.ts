// The model domain of the contract: templates, the summary of a model for a data set (shapes,
// parameters, problems), and a trained run's model in use: predictions on raw values or images,
// what it takes as input, and the test examples behind a confusion-matrix cell.
import { z } from 'zod';
import type { ModelSummary } from '../../model/summary';
import type { ModelTopology } from '../../model/keras-format';
import type { TemplateInfo } from '../../model/templates';
import { datasetRefSchema, modelSourceSchema, runIdSchema } from './shared';
import { datasetOptionsSchema } from './data';

export const modelRequests = {
  'templates.list': z.object({}).strict(),
  'model.summary': z
    .object({ model: modelSourceSchema, dataset: datasetRefSchema.optional(), labelColumn: z.string().max(500).optional(), options: datasetOptionsSchema.optional() })
    .strict(),
  'model.predict': z
    .object({ runId: runIdSchema, inputs: z.array(z.array(z.union([z.number(), z.string().max(1000), z.null()])).max(1_000_000)).min(1).max(10_000) })
    .strict(),
  'model.describe': z.object({ runId: runIdSchema }).strict(),
  'model.predictImage': z.object({ runId: runIdSchema, imageBase64: z.string().min(1).max(32 * 1024 * 1024) }).strict(),
  'model.examples': z
    .object({ runId: runIdSchema, actual: z.number().int().min(0).max(10_000), predicted: z.number().int().min(0).max(10_000), limit: z.number().int().min(1).max(200) })
    .strict(),
} as const;

/** What a trained model takes and gives, for the predict panel. */
export interface ModelDescription {
  runId: string;
  task: 'classification' | 'regression';
  kind: 'table' | 'image';
  classes: string[];
  inputShape: number[];
  /** Tables: one entry per raw column the model reads, with categories for categorical ones. */
  columns: { name: string; type: 'numeric' | 'categorical'; categories?: string[]; example?: number | string }[];
}

export interface Prediction {
  classes: string[];
  probabilities: number[][];
  predicted: number[];
  /** Images: the model-sized input actually predicted on (base64 of h × w × c bytes), when asked for. */
  seen?: { width: number; height: number; channels: 1 | 3; pixels: string };
}

export interface ModelResponses {
  'templates.list': TemplateInfo[];
  'model.summary': ModelSummary & { topology: ModelTopology | null };
  'model.predict': Prediction;
  'model.describe': ModelDescription;
  'model.predictImage': Prediction;
  'model.examples': { examples: { index: number; confidence: number; thumbnail: string | null; values: (string | number)[] | null }[]; total: number };
}
