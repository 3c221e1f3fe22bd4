// The tuning domain of the contract: hyperparameter search (TPE as Optuna's default sampler, or
// random), studies saved under the Glasswing folder's studies/ and resumable by name.
import { z } from 'zod';
import type { ModelTopology } from '../../model/keras-format';
import type { EpochRecord, TrainingSettings } from './training';
import { trainingSettingsSchema } from './training';
import { datasetRefSchema, modelSourceSchema, type ModelSource } from './shared';

export const TUNING_METRICS = ['valLoss', 'valAccuracy'] as const;
export type TuningMetric = (typeof TUNING_METRICS)[number];

const distributionSchema = z.union([
  z.object({ type: z.literal('float'), low: z.number(), high: z.number(), log: z.boolean().optional(), step: z.number().positive().optional() }).strict(),
  z.object({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), log: z.boolean().optional(), step: z.number().positive().optional() }).strict(),
  z.object({ type: z.literal('categorical'), choices: z.array(z.union([z.number(), z.string().max(100), z.boolean()])).min(1).max(100) }).strict(),
]);
export type TuningDistribution = z.infer<typeof distributionSchema>;
/** Parameter names: lr, batch, epochs, optimizer, dropout[.LAYER], l2[.LAYER], units.LAYER, filters.LAYER. */
export type TuningSpace = Record<string, TuningDistribution>;
export type TuningParams = Record<string, number | string | boolean>;

/** A study's name is its file name (without .study.json) in the Glasswing folder's studies/. */
const studyNameSchema = z.string().min(1).max(80).regex(/^[\w][\w .-]*$/, 'letters, digits, spaces, dots, dashes and underscores');

export const tuningRequests = {
  'tuning.start': z
    .object({
      model: modelSourceSchema,
      dataset: datasetRefSchema,
      /** Base settings; sampled parameters override them. validationSplit must be above 0. */
      settings: trainingSettingsSchema,
      space: z.record(z.string().min(1).max(200), distributionSchema).refine((s) => Object.keys(s).length > 0 && Object.keys(s).length <= 50, 'a search space of 1 to 50 parameters'),
      nTrials: z.number().int().min(1).max(1000),
      sampler: z.enum(['tpe', 'random']),
      pruner: z.enum(['median', 'none']),
      seed: z.number().int().min(0).max(2 ** 31 - 1),
      metric: z.enum(TUNING_METRICS).optional(),
      /** An existing study of this name is resumed; a new name starts a new one. */
      studyName: studyNameSchema.optional(),
    })
    .strict(),
  'tuning.stop': z.object({ studyId: z.string().min(1).max(100) }).strict(),
  'tuning.list': z.object({}).strict(),
  'tuning.open': z.object({ name: studyNameSchema }).strict(),
} as const;

export interface TuningBest {
  number: number;
  value: number;
  params: TuningParams;
  /** The model and settings with the best parameters applied, ready to load into the builder. */
  topology: ModelTopology;
  settings: TrainingSettings;
}

export type TuningTrialState = 'running' | 'complete' | 'pruned' | 'failed';

export interface TuningTrialInfo {
  number: number;
  state: TuningTrialState;
  value: number | null;
  params: TuningParams;
  history: EpochRecord[];
  seconds: number;
  error?: string;
}

export interface TuningStudySummary {
  name: string;
  file: string;
  direction: 'minimize' | 'maximize';
  metric: TuningMetric;
  sampler: string;
  dataset: string | null;
  model: string | null;
  trials: number;
  complete: number;
  pruned: number;
  bestValue: number | null;
  updatedAt: string;
}

export interface TuningStudy extends TuningStudySummary {
  space: TuningSpace;
  trialList: TuningTrialInfo[];
  best: TuningBest | null;
  /** The model and base settings the study started from (absent in studies made by the CLI). */
  base: { topology: ModelTopology; settings: TrainingSettings; source: ModelSource } | null;
}

export interface TuningResponses {
  'tuning.start': { studyId: string; name: string; file: string; resumedTrials: number };
  'tuning.stop': { ok: true };
  'tuning.list': { directory: string; studies: TuningStudySummary[] };
  'tuning.open': TuningStudy;
}

export interface TuningEvents {
  'tuning.trial': TuningTrialInfo & { studyId: string; best: { number: number; value: number; params: TuningParams } | null };
  'tuning.epoch': { studyId: string; trial: number; epoch: number; epochs: number; valLoss: number | null; valAccuracy: number | null };
  'tuning.finished': { studyId: string; name: string; stopped: boolean; failed: string | null; best: TuningBest | null; metric: TuningMetric; direction: 'minimize' | 'maximize' };
}
