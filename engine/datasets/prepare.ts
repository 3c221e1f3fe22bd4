// Turns a dataset and a split into model-ready arrays. Scaling is fitted on the training split
// only (no peeking at validation or test data), and returned so it can be saved with the model.
import type { Dataset, Preprocessing, TablePreprocessing } from './dataset';
import { exampleSize } from './dataset';
import { splitIndices, type SplitIndices } from './split';

export interface Examples {
  /** Preprocessed inputs, count × exampleSize. */
  x: Float32Array;
  /** Class index or regression target. */
  y: Float32Array;
  count: number;
  /** Row numbers in the source dataset. */
  indices: number[];
}

export interface PreparedData {
  train: Examples;
  validation: Examples;
  test: Examples;
  preprocessing: Preprocessing;
  split: SplitIndices;
}

export function fitTablePreprocessing(dataset: Dataset, rows: number[]): TablePreprocessing {
  const f = dataset.inputShape[0]!;
  const mean = new Array<number>(f).fill(0);
  const std = new Array<number>(f).fill(0);
  for (const r of rows) for (let j = 0; j < f; j++) mean[j]! += dataset.x[r * f + j]!;
  for (let j = 0; j < f; j++) mean[j]! /= Math.max(1, rows.length);
  for (const r of rows) for (let j = 0; j < f; j++) std[j]! += (dataset.x[r * f + j]! - mean[j]!) ** 2;
  // A constant column gets std 1 so it maps to 0 instead of dividing by zero.
  for (let j = 0; j < f; j++) std[j] = Math.sqrt(std[j]! / Math.max(1, rows.length)) || 1;
  return { kind: 'table', featureNames: dataset.featureNames, mean, std };
}

/** Applies the preprocessing to raw examples (count × size), writing into a new array. */
export function applyPreprocessing(raw: Float32Array, p: Preprocessing): Float32Array {
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

function gather(dataset: Dataset, rows: number[], p: Preprocessing): Examples {
  const size = exampleSize(dataset.inputShape);
  const raw = new Float32Array(rows.length * size);
  const y = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    raw.set(dataset.x.subarray(r * size, (r + 1) * size), i * size);
    y[i] = dataset.y[r]!;
  });
  return { x: applyPreprocessing(raw, p), y, count: rows.length, indices: rows };
}

export function prepareData(dataset: Dataset, validationFraction: number, testFraction: number, seed: number): PreparedData {
  const split = splitIndices(dataset, validationFraction, testFraction, seed);
  const preprocessing: Preprocessing = dataset.fixedPreprocessing ?? fitTablePreprocessing(dataset, split.train);
  return {
    train: gather(dataset, split.train, preprocessing),
    validation: gather(dataset, split.validation, preprocessing),
    test: gather(dataset, split.test, preprocessing),
    preprocessing,
    split,
  };
}
