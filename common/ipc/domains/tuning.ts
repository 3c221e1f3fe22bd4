// The tuning domain of the contract: hyperparameter search (studies saved under the projects
// folder, resumable), export of a trained run with a check, and transfer learning from a backbone.
import { z } from 'zod';
import { EXPORT_FORMAT_NAMES, TUNING_METRICS, type TUNING_EVENTS, type TUNING_REQUESTS } from './tuning.channels';
import type { ModelTopology } from '../../model/keras-format';
import type { EpochRecord, ModelSource, TrainingSettings } from '../contract';
import { datasetRefSchema, modelSourceSchema, trainingSettingsSchema as settingsSchema } from '../shared-schemas';

const distributionSchema = z.union([
  z.object({ type: z.literal('float'), low: z.number(), high: z.number(), log: z.boolean().optional(), step: z.number().positive().optional() }).strict(),
  z.object({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), log: z.boolean().optional(), step: z.number().positive().optional() }).strict(),
  z.object({ type: z.literal('categorical'), choices: z.array(z.union([z.number(), z.string().max(100), z.boolean()])).min(1).max(100) }).strict(),
]);
export type TuningDistribution = z.infer<typeof distributionSchema>;
/** Parameter names: lr, batch, epochs, optimizer, dropout[.LAYER], l2[.LAYER], units.LAYER, filters.LAYER. */
export type TuningSpace = Record<string, TuningDistribution>;
export type TuningParams = Record<string, number | string | boolean>;

/** A study's name is its file name (without .study.json) in the projects folder's studies/. */
const studyNameSchema = z.string().min(1).max(80).regex(/^[\w][\w .-]*$/, 'letters, digits, spaces, dots, dashes and underscores');

export type TuningMetric = (typeof TUNING_METRICS)[number];
export type ExportFormatName = (typeof EXPORT_FORMAT_NAMES)[number];

const backboneRefSchema = z.union([
  z.object({ builtin: z.string().min(1).max(100) }).strict(),
  /** A TF.js layers model on disk: DIR or DIR/model.json. */
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  /** A model trained in this session. */
  z.object({ runId: z.string().min(1).max(100) }).strict(),
]);
export type BackboneRef = z.infer<typeof backboneRefSchema>;

export const tuningRequests = {
  'tuning.start': z
    .object({
      model: modelSourceSchema,
      dataset: datasetRefSchema,
      /** Base settings; sampled parameters override them. validationSplit must be above 0. */
      settings: settingsSchema,
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
  'export.model': z
    .object({
      runId: z.string().min(1).max(100),
      format: z.enum(EXPORT_FORMAT_NAMES),
      /** A folder; a relative one lands in the projects folder's exports/. */
      dir: z.string().min(1).max(4096),
    })
    .strict(),
  'transfer.backbones': z.object({ path: z.string().min(1).max(4096).optional() }).strict(),
  'transfer.start': z
    .object({
      backbone: backboneRefSchema,
      /** Layer whose output becomes the features (default: the backbone's suggested cut). */
      cutLayer: z.string().min(1).max(200).optional(),
      /** How many weighted layers at the end of the backbone train too (0: frozen, features cached). */
      unfreeze: z.number().int().min(0).max(1000),
      /** Hidden units of the new head (0: the head is one softmax layer). */
      headUnits: z.number().int().min(0).max(4096),
      dataset: datasetRefSchema,
      settings: settingsSchema,
      /** Also train the same architecture from random weights with the same budget. */
      compareFromScratch: z.boolean(),
    })
    .strict(),
  'transfer.stop': z.object({ transferId: z.string().min(1).max(100) }).strict(),
} as const satisfies Record<(typeof TUNING_REQUESTS)[number], z.ZodType>;

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

export interface ExportCheckInfo {
  runtime: string;
  examples: number;
  maxAbsDiff: number | null;
  ok: boolean;
  message: string;
}

export interface BackboneInfo {
  /** What to pass as `backbone` to transfer.start. */
  ref: BackboneRef;
  name: string;
  description: string;
  /** Where the weights come from and under what licence. */
  provenance: string;
  /** The backbone's input (height, width, channels); images are resized to it. */
  inputShape: number[];
  /** Layers it can be cut at, earliest first, with their output shapes. */
  cutLayers: { name: string; shape: number[] }[];
  defaultCut: string;
  params: number;
}

export interface TransferResultInfo {
  valAccuracy: number | null;
  testAccuracy: number | null;
  seconds: number;
  /** Seconds spent computing the cached backbone features (frozen backbones). */
  featureSeconds: number;
  trainableParams: number;
  frozenParams: number;
  history: EpochRecord[];
}

export type TransferEvent =
  | { type: 'progress'; transferId: string; phase: 'loading' | 'features' | 'training' | 'baseline'; done: number; total: number }
  | ({ type: 'epoch'; transferId: string; which: 'transfer' | 'baseline' } & EpochRecord)
  | { type: 'finished'; transferId: string; stopped: boolean; transfer: TransferResultInfo; baseline: TransferResultInfo | null; runId: string | null }
  | { type: 'failed'; transferId: string; message: string };

export interface TuningResponses {
  'tuning.start': { studyId: string; name: string; file: string; resumedTrials: number };
  'tuning.stop': { ok: true };
  'tuning.list': { directory: string; studies: TuningStudySummary[] };
  'tuning.open': TuningStudy;
  'export.model': { format: ExportFormatName; outDir: string; files: string[]; check: ExportCheckInfo };
  'transfer.backbones': { backbones: BackboneInfo[] };
  'transfer.start': { transferId: string };
  'transfer.stop': { ok: true };
}

export interface TuningEvents {
  'tuning.trial': TuningTrialInfo & { studyId: string; best: { number: number; value: number; params: TuningParams } | null };
  'tuning.epoch': { studyId: string; trial: number; epoch: number; epochs: number; valLoss: number | null; valAccuracy: number | null };
  'tuning.finished': { studyId: string; name: string; stopped: boolean; failed: string | null; best: TuningBest | null; metric: TuningMetric; direction: 'minimize' | 'maximize' };
  'transfer.event': TransferEvent;
}

export type TuningEventName = (typeof TUNING_EVENTS)[number];
