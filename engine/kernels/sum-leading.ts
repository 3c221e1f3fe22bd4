// Sums over leading axes (bias gradients) on the SIMD kernels' threads: float64 accumulators per
// fixed chunk of rows, added in chunk order, so the bits do not depend on the thread count. Used by
// the cpu backend's Sum, and by wasm's in place on a shared heap. Backend-agnostic: takes a
// Float32Array (read in place when it is a view of the kernels' memory).
import { simd } from './simd/runtime';
import { reductionChunks } from './reduction-chunks';

/** A sum over leading axes (a bias gradient) on the kernel threads, in float64 per chunk of rows; null for other axes. */
export function simdSumLeading(shape: number[], x: Float32Array, axes: number[]): { shape: number[]; values: Float32Array } | null {
  const sorted = [...axes].sort((p, q) => p - q);
  if (sorted.length === 0 || sorted.length >= shape.length || !sorted.every((v, i) => v === i)) return null;
  const cols = shape.slice(sorted.length).reduce((p, q) => p * q, 1), rows = x.length / cols;
  const rt = simd();
  rt.reset();
  const px = rt.put(x);
  // One float64 accumulator per chunk of rows, summed in chunk order (see reduction-chunks.ts).
  const scratch = rt.exports.sumScratch(cols) * 2;
  const chunks = reductionChunks(rows, Math.max(1, Math.ceil(16384 / cols)), scratch);
  const accs = chunks.slice(1).map(() => rt.alloc(scratch));
  for (const acc of accs) rt.zero(acc, cols * 2);
  rt.runTasks('sumRowsInto', accs.map((acc, k) => [px, chunks[k]!, chunks[k + 1]!, cols, acc]));
  const f64 = new Float64Array(rt.memory.buffer);
  const out = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    let v = 0;
    for (const acc of accs) v += f64[(acc >> 3) + j]!;
    out[j] = v;
  }
  return { shape: shape.slice(sorted.length), values: out };
}
