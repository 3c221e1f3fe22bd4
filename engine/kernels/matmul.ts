// Batched matrix multiply (BatchMatMul / _FusedMatMul) over the SIMD GEMM. Backend-agnostic; the
// values returned may be a view of the SIMD arena, valid until the next fast kernel runs.
import { backend_util, util } from '@tensorflow/tfjs-core';
import { simd } from './simd/runtime';
import { gemm } from './gemm';

export type MatMulAct = 'linear' | 'relu' | 'relu6';

/** The product's shape for a [..., M, K] and b [..., K, N] (transposes as in batchMatMul), or null for a batch broadcast it does not handle. */
export function batchMatMulShape(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): number[] | null {
  const ra = aShape.length, rb = bShape.length;
  const M = transposeA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const N = transposeB ? bShape[rb - 2]! : bShape[rb - 1]!;
  const aBatchShape = aShape.slice(0, -2), bBatchShape = bShape.slice(0, -2);
  const aBatch = util.sizeFromShape(aBatchShape), bBatch = util.sizeFromShape(bBatchShape);
  const batchShape = backend_util.assertAndGetBroadcastShape(aBatchShape, bBatchShape);
  const batch = util.sizeFromShape(batchShape);
  return (aBatch === batch || aBatch === 1) && (bBatch === batch || bBatch === 1) ? [...batchShape, M, N] : null;
}

/**
 * act(a @ b + bias) for a [..., M, K] (or [..., K, M] when transposeA) and b [..., K, N] (or [..., N, K]),
 * batch dims broadcast when one side's batch is 1 or both are equal; bias of N values, added per row.
 * Returns null for batch broadcasts it does not handle (the caller falls back to the stock kernel).
 */
export function batchMatMul(aShape: number[], a: Float32Array, bShape: number[], b: Float32Array, transposeA: boolean, transposeB: boolean, bias: Float32Array | null = null, act: MatMulAct = 'linear'): { shape: number[]; values: Float32Array } | null {
  const shape = batchMatMulShape(aShape, bShape, transposeA, transposeB);
  if (!shape) return null;
  const ra = aShape.length, rb = bShape.length;
  const M = transposeA ? aShape[ra - 1]! : aShape[ra - 2]!;
  const K = transposeA ? aShape[ra - 2]! : aShape[ra - 1]!;
  const N = transposeB ? bShape[rb - 2]! : bShape[rb - 1]!;
  const aBatch = util.sizeFromShape(aShape.slice(0, -2)), bBatch = util.sizeFromShape(bShape.slice(0, -2));
  const batch = util.sizeFromShape(shape.slice(0, -2));
  const rt = simd();
  rt.reset();
  const pa = rt.put(a), pb = rt.put(b);
  const pbias = bias ? rt.put(bias) : 0;
  const out = rt.result(batch * M * N);
  for (let i = 0; i < batch; i++) {
    const ao = pa + (aBatch === 1 ? 0 : i * M * K * 4);
    const bo = pb + (bBatch === 1 ? 0 : i * K * N * 4);
    gemm(rt, M, N, K,
      transposeA ? { addr: ao, rs: 1, cs: M } : { addr: ao, rs: K, cs: 1 },
      transposeB ? { addr: bo, rs: 1, cs: K } : { addr: bo, rs: N, cs: 1 },
      out + i * M * N * 4, N, { bias: pbias || undefined, activation: act });
  }
  return { shape, values: rt.view(out, batch * M * N) };
}
