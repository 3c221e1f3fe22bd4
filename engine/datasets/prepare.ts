// Turns a dataset and a split into model-ready arrays. Everything fitted (categories, fills for
// missing numbers, scaling) is fitted on the training split only (no peeking at validation or
// test data), and returned so it can be saved with the model.
import {
  DataError,
  exampleSize,
  type Dataset,
  type ImagePreprocessing,
  type Preprocessing,
  type Scaling,
  type TableColumnRecipe,
  type TableData,
  type TablePreprocessing,
} from './dataset';
import { isMissingMarker, parseNumber } from './csv';
import { checkSplit, splitIndices, type SplitIndices } from './split';
import { floatExamples, normaliseImage, pixelExamples, type Examples } from '../../compute/examples';

export interface PreparedData {
  train: Examples;
  validation: Examples;
  test: Examples;
  preprocessing: Preprocessing;
  split: SplitIndices;
  /** The model's input shape; for tables it follows the categories seen in the training split. */
  inputShape: number[];
  /** One name per input unit (tables). */
  featureNames: string[];
}

export interface PrepareOptions {
  /** Tables: how numeric columns are scaled (default standard). */
  scaling?: Scaling;
}

/** The encoding recipe for a table's raw columns, fitted on `rows` (categories seen, mean fills). */
function fitColumns(table: TableData, rows: number[]): TableColumnRecipe[] {
  return table.columns.map((c): TableColumnRecipe => {
    if (c.type === 'numeric') {
      let sum = 0;
      let count = 0;
      for (const r of rows) {
        const v = c.values[r]!;
        if (Number.isNaN(v)) continue;
        sum += v;
        count++;
      }
      return { name: c.name, type: 'numeric', fill: count ? sum / count : 0, ...(c.nonNumbersMissing ? { nonNumbersMissing: true } : {}) };
    }
    const seen = new Uint8Array(c.categories.length);
    for (const r of rows) if (c.codes[r]! >= 0) seen[c.codes[r]!] = 1;
    return { name: c.name, type: 'categorical', categories: c.categories.filter((_, i) => seen[i]) };
  });
}

function unitNames(columns: TableColumnRecipe[]): string[] {
  return columns.flatMap((c) => (c.type === 'numeric' ? [c.name] : c.categories.map((v) => `${c.name}=${v}`)));
}

/** Encodes dataset rows with a recipe: count × input units, before scaling. */
function encodeTableRows(table: TableData, rows: number[], columns: TableColumnRecipe[]): Float32Array {
  const f = unitNames(columns).length;
  const out = new Float32Array(rows.length * f);
  let offset = 0;
  table.columns.forEach((c, j) => {
    const recipe = columns[j]!;
    if (c.type === 'numeric' && recipe.type === 'numeric') {
      rows.forEach((r, i) => {
        const v = c.values[r]!;
        out[i * f + offset] = Number.isNaN(v) ? recipe.fill : v;
      });
      offset++;
    } else if (c.type === 'categorical' && recipe.type === 'categorical') {
      // Map the file's category codes to the recipe's units; unseen categories map to -1 (all zeros).
      const unit = new Map(recipe.categories.map((v, k) => [v, k]));
      const map = Int32Array.from(c.categories, (v) => unit.get(v) ?? -1);
      rows.forEach((r, i) => {
        const code = c.codes[r]!;
        const k = code >= 0 ? map[code]! : -1;
        if (k >= 0) out[i * f + offset + k] = 1;
      });
      offset += recipe.categories.length;
    } else {
      throw new DataError(`The column "${c.name}" is ${c.type} in the data but ${recipe.type} in the model's preprocessing.`);
    }
  });
  return out;
}

/** Scaling per input unit, fitted on encoded training rows; one-hot units stay as they are. */
function fitScaling(encoded: Float32Array, count: number, columns: TableColumnRecipe[], scaling: Scaling): { mean: number[]; std: number[] } {
  const f = unitNames(columns).length;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(1);
  let offset = 0;
  for (const c of columns) {
    if (c.type === 'categorical') {
      offset += c.categories.length;
      continue;
    }
    const j = offset++;
    if (scaling === 'none' || count === 0) continue;
    if (scaling === 'minmax') {
      let min = Infinity;
      let max = -Infinity;
      for (let r = 0; r < count; r++) {
        const v = encoded[r * f + j]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      mean[j] = min;
      std[j] = max - min || 1;
    } else {
      let sum = 0;
      for (let r = 0; r < count; r++) sum += encoded[r * f + j]!;
      const m = sum / count;
      let ss = 0;
      for (let r = 0; r < count; r++) ss += (encoded[r * f + j]! - m) ** 2;
      mean[j] = m;
      // A constant column gets std 1 so it maps to 0 instead of dividing by zero.
      std[j] = Math.sqrt(ss / count) || 1;
    }
  }
  return { mean, std };
}

/** The table preprocessing fitted on the given (training) rows. */
export function fitTablePreprocessing(dataset: Dataset, rows: number[], options: PrepareOptions = {}): TablePreprocessing {
  const scaling = options.scaling ?? 'standard';
  if (dataset.table) {
    const columns = fitColumns(dataset.table, rows);
    const encoded = encodeTableRows(dataset.table, rows, columns);
    const { mean, std } = fitScaling(encoded, rows.length, columns, scaling);
    return { kind: 'table', featureNames: unitNames(columns), mean, std, scaling, columns };
  }
  // A plain numeric matrix (no raw columns kept): every unit is a numeric column.
  const f = dataset.inputShape[0]!;
  const columns: TableColumnRecipe[] = dataset.featureNames.map((name) => ({ name, type: 'numeric', fill: 0 }));
  const encoded = new Float32Array(rows.length * f);
  rows.forEach((r, i) => encoded.set(dataset.x.subarray(r * f, (r + 1) * f), i * f));
  const { mean, std } = fitScaling(encoded, rows.length, columns, scaling);
  return { kind: 'table', featureNames: dataset.featureNames, mean, std, scaling };
}

/** Applies the preprocessing to raw examples (count × size), writing into a new array. */
export function applyPreprocessing(raw: Float32Array | Uint8Array, p: Preprocessing): Float32Array {
  const out = new Float32Array(raw.length);
  if (p.kind === 'table') {
    const f = p.mean.length;
    for (let i = 0; i < raw.length; i++) out[i] = (raw[i]! - p.mean[i % f]!) / p.std[i % f]!;
  } else {
    const c = p.channels;
    for (let i = 0; i < raw.length; i++) out[i] = (raw[i]! * p.scale - p.mean[i % c]!) / p.std[i % c]!;
  }
  return out;
}

/**
 * Raw table rows as the user gives them (one value per raw column of `p.columns`, numbers or strings;
 * null, "" or "NA" for missing) → the model's unscaled input units, count × featureNames.length. Follow
 * with applyPreprocessing. Models without `columns` take their input units as they are.
 */
export function encodeRawRows(rows: (string | number | null)[][], p: TablePreprocessing): Float32Array {
  const f = p.featureNames.length;
  const out = new Float32Array(rows.length * f);
  const columns = p.columns ?? p.featureNames.map((name): TableColumnRecipe => ({ name, type: 'numeric', fill: NaN }));
  const unit = columns.map((c) => (c.type === 'categorical' ? new Map(c.categories.map((v, k) => [v, k])) : null));
  rows.forEach((values, i) => {
    if (values.length !== columns.length) {
      throw new DataError(`Input ${i + 1} has ${values.length} value${values.length === 1 ? '' : 's'}; the model takes ${columns.length} (${columns.map((c) => c.name).join(', ')}).`);
    }
    let offset = 0;
    columns.forEach((c, j) => {
      const v = values[j];
      if (c.type === 'numeric') {
        let num: number | null;
        if (typeof v === 'number') num = Number.isFinite(v) ? v : null;
        else if (v === null || v === undefined || isMissingMarker(v)) num = null;
        else {
          num = parseNumber(v);
          if (num === null && !c.nonNumbersMissing) throw new DataError(`Input ${i + 1}, column "${c.name}": "${String(v).slice(0, 40)}" is not a number.`);
        }
        if (num === null) {
          if (Number.isNaN(c.fill)) throw new DataError(`Input ${i + 1}, column "${c.name}": the value is missing.`);
          num = c.fill;
        }
        out[i * f + offset] = num;
        offset++;
      } else {
        const s = v === null || v === undefined ? '' : String(v).trim();
        const k = unit[j]!.get(s);
        if (k !== undefined) out[i * f + offset + k] = 1;
        offset += c.categories.length;
      }
    });
  });
  return out;
}

/** encodeRawRow for one row: unscaled input units. */
export function encodeRawRow(values: (string | number | null)[], p: TablePreprocessing): Float32Array {
  return encodeRawRows([values], p);
}

/** Raw rows straight to model input: encodeRawRows, then applyPreprocessing. */
export function preprocessRawRows(rows: (string | number | null)[][], p: TablePreprocessing): Float32Array {
  return applyPreprocessing(encodeRawRows(rows, p), p);
}

/**
 * Model input for every example of a dataset (or the given rows) under a stored preprocessing, e.g. a
 * saved model's: tables are re-encoded with the model's categories and fills.
 */
export function datasetInputs(dataset: Dataset, p: Preprocessing, rows?: number[]): Float32Array {
  const all = rows ?? Array.from({ length: dataset.count }, (_, i) => i);
  if (p.kind === 'table') {
    let raw: Float32Array;
    if (dataset.table && p.columns) {
      const byName = new Map(dataset.table.columns.map((c, i) => [c.name, i]));
      const missing = p.columns.filter((c) => !byName.has(c.name));
      if (missing.length) throw new DataError(`${dataset.name} has no column${missing.length === 1 ? '' : 's'} ${missing.map((c) => `"${c.name}"`).join(', ')}, which the model takes.`);
      const table: TableData = { ...dataset.table, columns: p.columns.map((c) => dataset.table!.columns[byName.get(c.name)!]!) };
      raw = encodeTableRows(table, all, p.columns);
    } else {
      const size = exampleSize(dataset.inputShape);
      if (size !== p.featureNames.length) throw new DataError(`${dataset.name} has ${size} features; the model takes ${p.featureNames.length}.`);
      raw = gatherRaw(dataset, all);
    }
    return applyPreprocessing(raw, p);
  }
  return gatherImages(dataset, all, p);
}

function gatherRaw(dataset: Dataset, rows: number[]): Float32Array {
  const size = exampleSize(dataset.inputShape);
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.set(dataset.x.subarray(r * size, (r + 1) * size), i * size));
  return out;
}

/** Pixels straight into preprocessed floats, with no intermediate copy. */
function gatherImages(dataset: Dataset, rows: number[], p: ImagePreprocessing): Float32Array {
  const size = exampleSize(dataset.inputShape);
  const out = new Float32Array(rows.length * size);
  const x = dataset.x;
  if (x instanceof Uint8Array) {
    rows.forEach((r, i) => normaliseImage(x, r * size, size, p, out, i * size));
    return out;
  }
  const c = p.channels;
  rows.forEach((r, i) => {
    for (let j = 0; j < size; j++) out[i * size + j] = (x[r * size + j]! * p.scale - p.mean[j % c]!) / p.std[j % c]!;
  });
  return out;
}

function examples(dataset: Dataset, rows: number[], p: Preprocessing): Examples {
  const y = new Float32Array(rows.length);
  rows.forEach((r, i) => (y[i] = dataset.y[r]!));
  if (p.kind === 'image' && dataset.x instanceof Uint8Array) return pixelExamples(dataset.x, exampleSize(dataset.inputShape), p, rows, y);
  return floatExamples(datasetInputs(dataset, p, rows), y, rows);
}

/** Prepares a dataset with a stored split (e.g. a project's), fitting preprocessing on its training rows. */
export function prepareDataWithSplit(dataset: Dataset, split: SplitIndices, options: PrepareOptions = {}): PreparedData {
  checkSplit(dataset, split);
  const preprocessing: Preprocessing = dataset.fixedPreprocessing ?? fitTablePreprocessing(dataset, split.train, options);
  return {
    train: examples(dataset, split.train, preprocessing),
    validation: examples(dataset, split.validation, preprocessing),
    test: examples(dataset, split.test, preprocessing),
    preprocessing,
    split,
    inputShape: preprocessing.kind === 'table' ? [preprocessing.featureNames.length] : dataset.inputShape,
    featureNames: preprocessing.kind === 'table' ? preprocessing.featureNames : [],
  };
}

export function prepareData(dataset: Dataset, validationFraction: number, testFraction: number, seed: number, options: PrepareOptions = {}): PreparedData {
  return prepareDataWithSplit(dataset, splitIndices(dataset, validationFraction, testFraction, seed), options);
}

/** Prepared data with no examples, for a run whose data can no longer be read. */
export function emptyPrepared(metadata: { inputShape: number[]; preprocessing: Preprocessing }): PreparedData {
  const none = (): Examples => floatExamples(new Float32Array(0), new Float32Array(0), []);
  return {
    train: none(),
    validation: none(),
    test: none(),
    preprocessing: metadata.preprocessing,
    split: { train: [], validation: [], test: [] },
    inputShape: metadata.inputShape,
    featureNames: metadata.preprocessing.kind === 'table' ? metadata.preprocessing.featureNames : [],
  };
}
