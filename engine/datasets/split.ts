// Seeded, stratified train/validation/test splits: each class keeps its share in every split,
// and the same seed always gives the same split.
import { seededRandom, shuffleInPlace } from '../../compute/random';
import { DataError, type Dataset } from './dataset';

export interface SplitIndices {
  train: number[];
  validation: number[];
  test: number[];
}

export function splitIndices(dataset: Dataset, validationFraction: number, testFraction: number, seed: number): SplitIndices {
  const random = seededRandom(seed ^ 0x5eed);
  const groups: number[][] = [];
  if (dataset.task === 'classification') {
    for (let i = 0; i < dataset.count; i++) (groups[dataset.y[i]!] ??= []).push(i);
  } else {
    groups.push(Array.from({ length: dataset.count }, (_, i) => i));
  }
  const out: SplitIndices = { train: [], validation: [], test: [] };
  for (const group of groups) {
    if (!group) continue;
    shuffleInPlace(group, random);
    const nTest = Math.round(group.length * testFraction);
    const nVal = Math.round(group.length * validationFraction);
    // Element by element: a spread of 100,000+ indices overflows the call stack.
    for (let i = 0; i < group.length; i++) (i < nTest ? out.test : i < nTest + nVal ? out.validation : out.train).push(group[i]!);
  }
  // Mix the classes so batches are not ordered by class.
  shuffleInPlace(out.train, random);
  shuffleInPlace(out.validation, random);
  shuffleInPlace(out.test, random);
  return out;
}

/** Checks that a stored split fits the dataset: indices in range, none used twice. */
export function checkSplit(dataset: Dataset, split: SplitIndices): void {
  const used = new Uint8Array(dataset.count);
  for (const part of ['train', 'validation', 'test'] as const) {
    const rows = split[part];
    if (!Array.isArray(rows)) throw new DataError(`The stored split has no ${part} rows.`);
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= dataset.count) {
        throw new DataError(`The stored split names example ${r}, but ${dataset.name} has ${dataset.count} examples; the data changed since the split was made. Make a new split.`);
      }
      if (used[r]) throw new DataError(`The stored split uses example ${r} twice; make a new split.`);
      used[r] = 1;
    }
  }
}
