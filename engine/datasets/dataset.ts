// What the engine trains on: examples as one flat typed array plus labels, and the recipe that
// turns a raw example into model input. The recipe travels with the saved model, so a model
// predicts on raw values exactly as it was trained.
import { BadInputError } from '../../common/bad-input';
import type { DatasetFix, ImportReport } from '../../common/ipc/contract';
export type { ImportReport };

import type { ImagePreprocessing, Task } from '../../compute/examples';
export type { ImagePreprocessing, Task };

/** How numeric table features are scaled; fitted on the training split only. */
export type Scaling = 'standard' | 'minmax' | 'none';

/**
 * One raw table column as the model takes it at predict time, in order.
 * - numeric: the value itself; a missing value becomes `fill` (the training mean).
 * - categorical: one input unit per category, one-hot in this order; a missing value or a
 *   category never seen in training gives all zeros.
 */
export type TableColumnRecipe =
  | {
      name: string;
      type: 'numeric';
      fill: number;
      /** Cells that are not numbers are read as missing (the person chose so at import), also at predict time. */
      nonNumbersMissing?: boolean;
    }
  | { name: string; type: 'categorical'; categories: string[] };

export interface TablePreprocessing {
  kind: 'table';
  /** One name per model input unit: a numeric column's name, or "column=category" for one-hot units. */
  featureNames: string[];
  /**
   * Per model input unit: x' = (x - mean) / std. Standardisation fitted on the training split; min–max
   * scaling is stored as mean = min, std = max - min; one-hot units have mean 0, std 1.
   */
  mean: number[];
  std: number[];
  /** Absent in models saved before categorical columns existed (then: standard). */
  scaling?: Scaling;
  /**
   * The raw columns a row of input holds, in order (see encodeRawRows). Absent in older models: their
   * raw rows are the input units themselves.
   */
  columns?: TableColumnRecipe[];
}

export type Preprocessing = TablePreprocessing | ImagePreprocessing;

/** A table column as read from the file, before any fitting. */
export type TableColumnData =
  | { name: string; type: 'numeric'; /** NaN where the value is missing. */ values: Float32Array; /** Non-numbers were read as missing. */ nonNumbersMissing?: boolean }
  | { name: string; type: 'categorical'; /** Index into categories; -1 where missing. */ codes: Int32Array; /** Every category in the file, sorted. */ categories: string[] };

export interface TableData {
  /** Feature columns (not the label, not ignored ones), in file order. */
  columns: TableColumnData[];
  labelColumn: string;
  /** 1-based source line of each row, for messages. */
  lines: Int32Array;
}

/** Progress of an import, at most about 10 times a second plus the last one. */
export interface ImportProgress {
  phase: 'scanning' | 'reading' | 'decoding' | 'cached' | 'done';
  done: number;
  total: number;
  /** Files per second so far. */
  rate: number;
  /** Seconds left at the current rate; null until there is a rate. */
  etaSeconds: number | null;
  skipped: number;
}

export interface Dataset {
  id: string;
  name: string;
  kind: 'table' | 'images';
  task: Task;
  /**
   * Raw examples, row-major: count × product(inputShape). Images: Uint8Array pixels 0–255.
   * Tables: Float32Array with categorical columns one-hot over every category in the file and missing
   * numbers filled with the column mean (prepareData re-encodes from `table` with categories and fills
   * fitted on the training split).
   */
  x: Float32Array | Uint8Array;
  /** The input shape before splitting; for tables with categorical columns use PreparedData.inputShape. */
  inputShape: number[];
  /** Class index (classification) or target value (regression) per example. */
  y: Float32Array;
  classes: string[];
  count: number;
  /** Names of the input units of `x` (tables) for messages and the predict form. */
  featureNames: string[];
  /**
   * Scaling that does not depend on the split (images; a table model being fine-tuned, which keeps
   * the scaling it was trained with), or null to fit on the training split.
   */
  fixedPreprocessing: Preprocessing | null;
  /** Raw table columns (CSV/TSV): what prepareData fits categories, fills and scaling on. */
  table?: TableData;
  /** What the import read and skipped. */
  report?: ImportReport;
}

/** A clear, user-facing problem with input data (file, row, column named in the message). */
export class DataError extends BadInputError {
  constructor(
    message: string,
    /** Ways to read the data that resolve it (the Data view offers them as buttons, the CLI as flags). */
    readonly fixes: DatasetFix[] = [],
  ) {
    super(message);
  }
}

/** An import stopped by its AbortSignal. */
export class ImportCancelledError extends Error {
  readonly code = 'cancelled';
  constructor(source: string) {
    super(`The import of ${source} was cancelled.`);
    this.name = 'AbortError';
  }
}

export function exampleSize(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A one-line reason for a file-system error, e.g. "permission denied". */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'it does not exist';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOTDIR':
      return 'it is not a folder';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return (err?.message ?? String(e)).split('\n')[0]!;
  }
}

/**
 * The most classes a classifier is trained on (ImageNet's 1,000). More distinct labels are an
 * identifier or free text, not classes, and would make every epoch's confusion matrix (classes²
 * numbers) larger than the engine can pass to the page.
 */
export const MAX_CLASSES = 1000;

/** `source` has `classes` classes, too many: a table's label column (`column`), or an image folder's sub-folders (no column). */
export function tooManyClassesMessage(source: string, classes: number, column?: string): string {
  const most = `at most ${MAX_CLASSES.toLocaleString('en-US')}`;
  return column === undefined
    ? `${source} has ${classes.toLocaleString('en-US')} class folders, too many classes (${most}); each sub-folder is one class.`
    : `${source}, column "${column}": ${classes.toLocaleString('en-US')} different labels are too many classes (${most}); it looks like an identifier or free text. Choose another label column.`;
}
