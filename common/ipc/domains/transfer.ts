// The transfer domain of the contract: a new head on a pretrained backbone (the bundled ImageNet
// MobileNetV2, a TF.js model on disk, or a finished run), frozen or partly unfrozen, compared with
// the same budget from scratch.
import { z } from 'zod';
import { datasetRefSchema, pathSchema, runIdSchema } from './shared';
import { trainingSettingsSchema, type EpochRecord } from './training';

const backboneRefSchema = z.union([
  z.object({ builtin: z.string().min(1).max(100) }).strict(),
  /** A model on disk: a TF.js DIR or DIR/model.json. */
  z.object({ path: pathSchema }).strict(),
  /** A model trained in this session. */
  z.object({ runId: runIdSchema }).strict(),
]);
export type BackboneRef = z.infer<typeof backboneRefSchema>;

export const transferRequests = {
  'transfer.backbones': z.object({ path: pathSchema.optional() }).strict(),
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
      settings: trainingSettingsSchema,
      /** Also train the same architecture from random weights with the same budget. */
      compareFromScratch: z.boolean(),
    })
    .strict(),
  'transfer.stop': z.object({ transferId: z.string().min(1).max(100) }).strict(),
} as const;

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

export interface TransferResponses {
  'transfer.backbones': { backbones: BackboneInfo[] };
  'transfer.start': { transferId: string };
  'transfer.stop': { ok: true };
}

export interface TransferEvents {
  'transfer.event': TransferEvent;
}
