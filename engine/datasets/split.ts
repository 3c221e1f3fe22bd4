// Seeded, stratified train/validation/test splits: each class keeps its share in every split,
// and the same seed always gives the same split.
import { seededRandom, shuffleInPlace } from '../random';
import type { Dataset } from './dataset';

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
    out.test.push(...group.slice(0, nTest));
    out.validation.push(...group.slice(nTest, nTest + nVal));
    out.train.push(...group.slice(nTest + nVal));
  }
  // Mix the classes so batches are not ordered by class.
  shuffleInPlace(out.train, random);
  shuffleInPlace(out.validation, random);
  shuffleInPlace(out.test, random);
  return out;
}
