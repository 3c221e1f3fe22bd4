// The export domain of the contract: a trained run written as TF.js files, ONNX or a tf.keras
// script, with a check that runs its validation split through the written file.
import { z } from 'zod';
import { pathSchema, runIdSchema } from './shared';

export const EXPORT_FORMAT_NAMES = ['tfjs', 'onnx', 'keras-script'] as const;
export type ExportFormatName = (typeof EXPORT_FORMAT_NAMES)[number];

export const exportRequests = {
  'export.model': z
    .object({
      runId: runIdSchema,
      format: z.enum(EXPORT_FORMAT_NAMES),
      /** A folder; a relative one lands in the Glasswing folder's exports/. */
      dir: pathSchema,
      /** Replace a folder that holds files other than an earlier export (a person confirmed it). */
      overwrite: z.boolean().optional(),
    })
    .strict(),
} as const;

export interface ExportCheckInfo {
  runtime: string;
  examples: number;
  maxAbsDiff: number | null;
  ok: boolean;
  message: string;
}

export interface ExportResponses {
  'export.model': { format: ExportFormatName; outDir: string; files: string[]; check: ExportCheckInfo };
}
