// Sums over leading axes (bias gradients) on the SIMD kernels' threads: float64 accumulators per
// fixed chunk of rows, added in chunk order, so the bits do not depend on the thread count. Used by
// the cpu backend's Sum, by wasm's in place on a shared heap, and by the fused relu gradient that
// yields a relu convolution's bias gradient with its masked output gradient. Backend-agnostic: takes a
// Float32Array (read in place when it is a view of the kernels' memory) or kernel-memory addresses.
import { simd, type SimdRuntime } from './simd/runtime';
import { reductionChunks } from './reduction-chunks';
import { reductionBlocks } from './elementwise';

/** The chunks of rows summed separately (see reduction-chunks.ts), each with its zeroed float64 accumulator. */
function chunkAccumulators(rt: SimdRuntime, rows: number, cols: number): { chunks: number[]; accs: number[] } {
  const scratch = rt.exports.sumScratch(cols) * 2;
  const chunks = reductionChunks(rows, Math.max(1, Math.ceil(16384 / cols)), scratch);
  const accs = chunks.slice(1).map(() => rt.alloc(scratch));
  for (const acc of accs) rt.zero(acc, cols * 2);
  return { chunks, accs };
}

/** Each column's chunk sums added in chunk order, rounded to float32. */
function chunkTotals(rt: SimdRuntime, accs: number[], cols: number): Float32Array {
  const f64 = new Float64Array(rt.memory.buffer);
  const out = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    let v = 0;
    for (const acc of accs) v += f64[(acc >> 3) + j]!;
    out[j] = v;
  }
  return out;
}

/** A sum over leading axes (a bias gradient) on the kernel threads, in float64 per chunk of rows; null for other axes. */
export function simdSumLeading(shape: number[], x: Float32Array, axes: number[]): { shape: number[]; values: Float32Array } | null {
  const blocks = reductionBlocks(shape, axes);
  if (!blocks || blocks.first !== 0) return null;
  const { rows, cols } = blocks;
  const rt = simd();
  rt.reset();
  const px = rt.put(x);
  const { chunks, accs } = chunkAccumulators(rt, rows, cols);
  rt.runTasks('sumRowsInto', accs.map((acc, k) => [px, chunks[k]!, chunks[k + 1]!, cols, acc]));
  return { shape: blocks.outShape, values: chunkTotals(rt, accs, cols) };
}

/**
 * Relu's gradient y = dy where x > 0 (rows × cols values at byte addresses in the kernels' memory)
 * and its sum over the rows, each chunk summed right after it is written: the same bits as the
 * gradient followed by simdSumLeading, with one pass over the tensor instead of two.
 */
export function simdReluGradSum(dy: number, x: number, rows: number, cols: number, y: number): Float32Array {
  const rt = simd();
  rt.reset();
  const { chunks, accs } = chunkAccumulators(rt, rows, cols);
  rt.runTasks('reluGradRowsSum', accs.map((acc, k) => [dy, x, chunks[k]!, chunks[k + 1]!, cols, y, acc]));
  return chunkTotals(rt, accs, cols);
}
