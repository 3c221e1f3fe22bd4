// Examples as the training loop reads them: model inputs (floats, or images kept as their 0–255
// bytes and normalised one batch at a time) and labels. Pure TypeScript, shared by the engine and
// the page's compute worker, which receives exactly these arrays for a GPU run.

export type Task = 'classification' | 'regression';

export interface ImagePreprocessing {
  kind: 'image';
  height: number;
  width: number;
  channels: 1 | 3;
  /** x' = (pixel × scale − mean[c]) / std[c]; pixels are 0–255. */
  scale: number;
  mean: number[];
  std: number[];
}

export interface Examples {
  /**
   * Model inputs, count × size, as floats. Images kept as pixels (see `pixels`) compute this on first
   * use only (small sets, tests); hot paths read through exampleInputs/gatherInputs instead, which
   * normalise one batch at a time.
   */
  readonly x: Float32Array;
  /** Class index or regression target. */
  y: Float32Array;
  count: number;
  /** Row numbers in the source dataset. */
  indices: number[];
  /**
   * Images held as the dataset's own 0–255 bytes (no copy, 4× smaller than floats): example i is
   * row indices[i] of `source`, normalised with `preprocessing` when it is read.
   */
  readonly pixels?: { source: Uint8Array; size: number; preprocessing: ImagePreprocessing };
}

/** Examples whose inputs are already floats (tables, features, tests). */
export function floatExamples(x: Float32Array, y: Float32Array, indices: number[]): Examples {
  return { x, y, count: y.length, indices };
}

/** Examples that read the dataset's pixels through its image preprocessing, one batch at a time. */
export function pixelExamples(source: Uint8Array, size: number, preprocessing: ImagePreprocessing, rows: number[], y: Float32Array): Examples {
  let materialised: Float32Array | null = null;
  const ex: Examples = {
    get x() {
      materialised ??= gatherInputs(ex, Array.from({ length: rows.length }, (_, i) => i), size);
      return materialised;
    },
    y,
    count: rows.length,
    indices: rows,
    pixels: { source, size, preprocessing },
  };
  return ex;
}

/** Normalises one image of `source` (starting at `from`) into `out` at `to`. */
export function normaliseImage(source: Uint8Array, from: number, size: number, p: ImagePreprocessing, out: Float32Array, to: number): void {
  const c = p.channels;
  if (c === 1) {
    const scale = p.scale / p.std[0]!;
    const shift = p.mean[0]! / p.std[0]!;
    for (let j = 0; j < size; j++) out[to + j] = source[from + j]! * scale - shift;
    return;
  }
  const s0 = p.scale / p.std[0]!, s1 = p.scale / p.std[1]!, s2 = p.scale / p.std[2]!;
  const m0 = p.mean[0]! / p.std[0]!, m1 = p.mean[1]! / p.std[1]!, m2 = p.mean[2]! / p.std[2]!;
  for (let j = 0; j < size; j += 3) {
    out[to + j] = source[from + j]! * s0 - m0;
    out[to + j + 1] = source[from + j + 1]! * s1 - m1;
    out[to + j + 2] = source[from + j + 2]! * s2 - m2;
  }
}

/** Model inputs of the examples at `positions`, one after another (into `out` when given). */
export function gatherInputs(ex: Examples, positions: ArrayLike<number>, size: number, out?: Float32Array): Float32Array {
  const n = positions.length;
  const into = out && out.length >= n * size ? out : new Float32Array(n * size);
  const px = ex.pixels;
  for (let i = 0; i < n; i++) {
    const p = positions[i]!;
    if (px) normaliseImage(px.source, ex.indices[p]! * size, size, px.preprocessing, into, i * size);
    else into.set(ex.x.subarray(p * size, (p + 1) * size), i * size);
  }
  return into;
}

/** Model inputs of the examples start … start + n − 1 (a view when they are held as floats). */
export function exampleInputs(ex: Examples, start: number, n: number, size: number): Float32Array {
  if (!ex.pixels) return ex.x.subarray(start * size, (start + n) * size);
  return gatherInputs(ex, Array.from({ length: n }, (_, i) => start + i), size);
}

