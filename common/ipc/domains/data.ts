// The data domain of the contract: built-in samples, importing a table or an image folder (with a
// preview of what the importer sees, progress and cancel), and uploads from a browser page, which
// cannot hand over a file path.
import { z } from 'zod';
import { BAD_VALUE_ACTIONS } from './training';
import { datasetRefSchema } from './shared';

export const datasetOptionsSchema = z
  .object({
    labelColumn: z.string().max(500).optional(),
    categorical: z.array(z.string().max(500)).max(1000).optional(),
    ignore: z.array(z.string().max(500)).max(1000).optional(),
    badValues: z.record(z.string().max(500), z.enum(BAD_VALUE_ACTIONS)).optional(),
    height: z.number().int().min(4).max(1024).optional(),
    width: z.number().int().min(4).max(1024).optional(),
    color: z.enum(['grayscale', 'rgb']).optional(),
  })
  .strict();
export type DatasetOptions = z.infer<typeof datasetOptionsSchema>;

/**
 * An upload's folder name: one path segment of letters, digits, spaces and - _ ( ) . + that does not
 * start with a dot — never ".", "..", a separator or NUL, so it can only name a child of uploads/.
 */
export const UPLOAD_NAME_PATTERN = /^[\p{L}\p{N} _()+-][\p{L}\p{N} _().+-]*$/u;
/** A safe upload folder name for a dropped or picked file or folder ("...csv" → "csv", "a/b" → "a-b"). */
/**
 * Names Windows keeps for devices (CON, NUL, COM1, … with any extension) and names ending in a space
 * or a dot, which it cannot store: an upload folder named so could not be copied to, or made on, Windows.
 */
export const WINDOWS_UNSAFE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$|[ .]$/i;

export function uploadNameFor(name: string): string {
  let cleaned = name
    .normalize('NFC')
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[^\p{L}\p{N} _().+-]+/gu, '-')
    .replace(/^[.\s-]+/, '')
    .slice(0, 100)
    .trim()
    .replace(/[ .]+$/, '');
  if (WINDOWS_UNSAFE_NAME.test(cleaned)) cleaned = `${cleaned}-data`;
  return UPLOAD_NAME_PATTERN.test(cleaned) ? cleaned : 'upload';
}

export const uploadNameSchema = z.string().min(1).max(120).regex(UPLOAD_NAME_PATTERN, 'a single folder name without dots in front, slashes or control characters');

/**
 * Whether `s` is standard padded base64 (what btoa writes). A loop, not a regular expression: a
 * pattern of repeated groups overflows the regular expression engine's stack on an upload's 48 MB.
 */
export function isBase64(s: string): boolean {
  if (s.length % 4 !== 0) return false;
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  for (let i = 0; i < s.length - padding; i++) {
    const c = s.charCodeAt(i);
    // A-Z, a-z, 0-9, '+', '/'
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47)) return false;
  }
  return true;
}

export const dataRequests = {
  'datasets.list': z.object({}).strict(),
  'datasets.inspect': z.object({ ref: datasetRefSchema, options: datasetOptionsSchema }).strict(),
  'datasets.cancel': z.object({ ref: datasetRefSchema }).strict(),
  'datasets.upload': z
    .object({
      /** Folder name the upload lands in (under the Glasswing folder's uploads/). */
      name: uploadNameSchema,
      files: z
        .array(
          z
            .object({
              path: z.string().min(1).max(1000),
              /** Standard base64 with its padding (btoa's): anything else would be decoded silently into other bytes. */
              base64: z.string().max(48 * 1024 * 1024).refine(isBase64, 'is not base64'),
              /** Where these bytes go in the file: a file larger than one message arrives in pieces, in order. */
              offset: z.number().int().min(0).max(2 ** 40).optional(),
            })
            .strict(),
        )
        .min(1)
        .max(20_000),
      /**
       * First chunk of an upload: a new folder is made for it (never an existing one cleared). Later
       * chunks pass the `name` the first one answered with and fresh: false.
       */
      fresh: z.boolean(),
    })
    .strict(),
} as const;

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

export interface DatasetProgressEvent {
  ref: string;
  phase: string;
  done: number;
  total: number;
  rate: number;
  etaSeconds: number | null;
  skipped: number;
}

export interface ColumnStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

export interface ColumnSummary {
  name: string;
  /** 0-based position in the file. */
  index: number;
  role: 'feature' | 'label' | 'ignored';
  type: 'numeric' | 'categorical';
  /** Missing values (empty, or NA/N/A/?/null… in numeric columns). */
  missing: number;
  distinct: number;
  /** Numeric columns. */
  stats: ColumnStats | null;
  /** Categorical columns: the most frequent categories with their counts (at most 20). */
  categories: { value: string; count: number }[] | null;
  /** Categories beyond those listed. */
  moreCategories: number;
}

/** A fix the Data view offers as a button: how to read one column. */
export type DatasetFix =
  /** Non-numbers in a numeric column become missing values, filled with the training split's mean. */
  | { option: 'missing'; column: string; rows: number }
  /** Rows whose value in this column is not a number are left out. */
  | { option: 'drop'; column: string; rows: number }
  /** The column becomes categories, one input per distinct value. */
  | { option: 'categorical'; column: string; adds: number }
  /** The column is left out. */
  | { option: 'ignore'; column: string };

export interface DatasetProblem {
  severity: 'error' | 'warning';
  /** One line naming the file, line and column where they apply. */
  message: string;
  file?: string;
  line?: number;
  column?: string;
  /** Ways to resolve it, best first. */
  fixes?: DatasetFix[];
}

export interface SampleImage {
  class: string;
  /** Relative to the folder. */
  file: string;
  /** A PNG at the model's input size. */
  dataUrl: string;
  width: number;
  height: number;
  channels: number;
}

/** What an import read and what it had to skip. */
export interface ImportReport {
  source: string;
  kind: 'table' | 'images';
  /** Files (images) or data rows (tables) found. */
  found: number;
  /** Examples in the dataset. */
  imported: number;
  /** Files (or rows) skipped, with the reason. */
  skipped: { file: string; reason: string }[];
  /** Images: whether the decoded pixels came from the cache (reused = rows taken from an older cache). */
  fromCache: boolean;
  reused: number;
  cacheFile: string | null;
  seconds: number;
  /** Things worth knowing that did not stop the import (e.g. a class folder with no readable images). */
  warnings: string[];
}

/** What the importer sees in a dataset reference, before anything trains. */
export interface DatasetInspection {
  ref: string;
  name: string;
  kind: 'table' | 'images';
  /** null when the label is unusable. */
  task: 'classification' | 'regression' | null;
  /** Data rows (tables) or readable images. */
  count: number;
  labelColumn: string | null;
  columns: ColumnSummary[];
  /** Classes with their counts (classification). */
  classes: { name: string; count: number }[];
  /** Statistics of the target (regression). */
  target: ColumnStats | null;
  /** Largest class over smallest class; a warning in `problems` when above 3. */
  imbalance: { largest: string; smallest: string; ratio: number } | null;
  /** The model's input shape, when the data loads (tables: one-hot over every category in the file). */
  inputShape: number[] | null;
  /** Tables: the header and the first 10 data rows as they are in the file. */
  header: string[];
  firstRows: string[][];
  sampleImages: SampleImage[];
  /** What the import read, skipped and whether the cache was used. */
  report: ImportReport | null;
  problems: DatasetProblem[];
  /** No error among the problems: loading with these options succeeds. */
  ok: boolean;
}

export interface DataResponses {
  'datasets.list': DatasetInfo[];
  'datasets.inspect': DatasetInspection;
  'datasets.cancel': { ok: true };
  'datasets.upload': { ref: string; files: number; name: string };
}

export interface DataEvents {
  'dataset.progress': DatasetProgressEvent;
}
