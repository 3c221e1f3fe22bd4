// Batch normalization in training (each channel normalized by the batch's own mean and variance) as
// SIMD passes over the kernels' memory: three forward (sum, squared deviations, scale and shift) and
// two backward (two sums, then the input gradient), split over the threads. tfjs-layers composes it
// from tf.moments and batchNorm, whose gradients take about twenty full-size element-wise ops and
// reductions per layer. The sums are float64 per fixed chunk of rows, added in chunk order (see
// reduction-chunks.ts): the same bits on any thread count. x is [rows, C], channels last.
import { simd } from './simd/runtime';
import { reductionChunks } from './reduction-chunks';
import { parallelRange } from './gemm';

type SumKernel = 'sumRowsInto' | 'sqDevRowsInto' | 'bnGradRowsInto';

/** Per-channel float64 sums of `fn` over fixed chunks of rows, `width` sums per channel ([width][C]). */
function channelSums(fn: SumKernel, args: (r0: number, r1: number, acc: number) => number[], rows: number, C: number, width: number): Float64Array {
  const rt = simd();
  // sumRowsInto keeps its partial periods after the C sums (widths that are not a multiple of 4).
  const accFloats = fn === 'sumRowsInto' ? rt.exports.sumScratch(C) * 2 : 2 * width * C;
  const chunks = reductionChunks(rows, Math.max(1, Math.ceil(16384 / C)), accFloats);
  const accs = chunks.slice(1).map(() => rt.alloc(accFloats));
  for (const acc of accs) rt.zero(acc, 2 * width * C);
  rt.runTasks(fn, accs.map((acc, k) => args(chunks[k]!, chunks[k + 1]!, acc)));
  const f64 = new Float64Array(rt.memory.buffer);
  const totals = new Float64Array(width * C);
  for (const acc of accs) for (let j = 0; j < width * C; j++) totals[j]! += f64[(acc >> 3) + j]!;
  return totals;
}

/** The rows per task of a pass over x [rows, C]: about 16k values. */
const rowsPerTask = (C: number): number => Math.max(1, Math.ceil(16384 / C));

export interface BatchStats {
  /** Per-channel mean of the batch. */
  mean: Float32Array;
  /** Per-channel variance of the batch (divided by the row count, as tf.moments). */
  variance: Float32Array;
}

/**
 * y = (x - mean) * gamma / sqrt(variance + epsilon) + beta with the batch's statistics, for x [rows, C]
 * at byte address px of the kernels' memory, into py (which may be px). The caller resets the arena.
 */
export function batchNormTrain(px: number, rows: number, C: number, gamma: Float32Array, beta: Float32Array, epsilon: number, py: number): BatchStats {
  const rt = simd();
  const mean = Float32Array.from(channelSums('sumRowsInto', (r0, r1, acc) => [px, r0, r1, C, acc], rows, C, 1), (s) => s / rows);
  const pm = rt.put(mean);
  const variance = Float32Array.from(channelSums('sqDevRowsInto', (r0, r1, acc) => [px, r0, r1, C, pm, acc], rows, C, 1), (s) => s / rows);
  const scale = Float32Array.from(variance, (v, c) => gamma[c]! / Math.sqrt(v + epsilon));
  const ps = rt.put(scale), pb = rt.put(beta);
  parallelRange(rt, rows, rowsPerTask(C), (lo, hi) => ({ fn: 'scaleShift', args: [px + lo * C * 4, hi - lo, C, pm, ps, pb, py + lo * C * 4] }));
  return { mean, variance };
}

export interface BatchNormGrads {
  dgamma: Float32Array;
  dbeta: Float32Array;
}

/**
 * The gradients of batchNormTrain for dy at pdy (x at px): dx into pdx, and those of gamma and beta.
 * dmean and dvariance are the gradients reaching its mean and variance outputs (zeros when only y
 * leads to the loss, as in tfjs-layers, which reads them for the moving averages alone).
 *   dx = gamma·s·dy − gamma·s³·S2/n·(x − mean) − gamma·s·S1/n + 2·dvariance/n·(x − mean) + dmean/n,
 * s = 1/sqrt(variance + epsilon), S1 = Σ dy, S2 = Σ dy·(x − mean) per channel; dgamma = s·S2, dbeta = S1.
 */
export function batchNormTrainGrad(pdy: number, px: number, rows: number, C: number, stats: BatchStats, gamma: Float32Array, epsilon: number,
  dmean: Float32Array, dvariance: Float32Array, pdx: number): BatchNormGrads {
  const rt = simd();
  const pm = rt.put(stats.mean);
  const sums = channelSums('bnGradRowsInto', (r0, r1, acc) => [pdy, px, r0, r1, C, pm, acc], rows, C, 2);
  const a = new Float32Array(C), b = new Float32Array(C), k = new Float32Array(C);
  const dgamma = new Float32Array(C), dbeta = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const s = 1 / Math.sqrt(stats.variance[c]! + epsilon), g = gamma[c]!, S1 = sums[c]!, S2 = sums[C + c]!;
    a[c] = g * s;
    b[c] = -g * s * s * s * S2 / rows + 2 * dvariance[c]! / rows;
    k[c] = -g * s * S1 / rows + dmean[c]! / rows;
    dgamma[c] = s * S2;
    dbeta[c] = S1;
  }
  const pa = rt.put(a), pb = rt.put(b), pk = rt.put(k);
  parallelRange(rt, rows, rowsPerTask(C), (lo, hi) => ({ fn: 'bnGradApply', args: [pdy + lo * C * 4, px + lo * C * 4, hi - lo, C, pm, pa, pb, pk, pdx + lo * C * 4] }));
  return { dgamma, dbeta };
}
