// Stride-1 convolutions whose channel count is not a multiple of 4 (LeNet-5's second layer: 5×5,
// 6 → 16) as convolutions over that many channels padded with zero channels up to the next multiple
// of 4. The 6×6- and 8×8-tile Winograd kernels read 4 channels a vector, so such layers took the
// few-channel kernel, implicit GEMM or GEMM + col2im; over the padded channels they multiply the
// added zeros too (8/6 of the products for 6 channels) but Winograd multiplies 2-4× less. The image
// and the weights are copied with zero channels added; the input gradient comes back with them (its
// first C channels are kept), the filter gradient with their rows (dropped). conv.ts decides when.
import type { SimdRuntime } from './simd/runtime';
import type { Geom } from './conv-geometry';
import { parallelRange } from './gemm';

/** g over its channels rounded up to a multiple of 4. */
export function channelPaddedGeom(g: Geom): Geom {
  return { ...g, C: Math.ceil(g.C / 4) * 4 };
}

/** x [N, H, W, C] (at px) with zero channels up to gp.C, in a new arena block; returns its address. */
export function channelPaddedImage(rt: SimdRuntime, g: Geom, gp: Geom, px: number): number {
  const out = rt.alloc(g.N * g.H * g.W * gp.C);
  copyRowsOnThreads(rt, g.N * g.H * g.W, px, g.C, g.C, out, gp.C);
  return out;
}

/** w [KH, KW, C, F] (at pw) with zero rows for the added channels: [KH, KW, gp.C, F] in a new arena block; returns its address. */
export function channelPaddedFilter(rt: SimdRuntime, g: Geom, gp: Geom, F: number, pw: number): number {
  const out = rt.alloc(g.KH * g.KW * gp.C * F);
  rt.exports.copyRows(pw, g.C * F, g.C * F, out, gp.C * F, 0, g.KH * g.KW);
  return out;
}

/** dx [N, H, W, C] at dst from the padded convolution's input gradient (gp.C channels, at src). */
export function channelUnpaddedImage(rt: SimdRuntime, g: Geom, gp: Geom, src: number, dst: number): void {
  copyRowsOnThreads(rt, g.N * g.H * g.W, src, gp.C, g.C, dst, g.C);
}

/** dw [KH, KW, C, F] from the padded convolution's filter gradient dp ([KH, KW, gp.C, F]): each tap's first C rows (as spaceToDepthFilterGrad). */
export function channelUnpaddedFilterGrad(g: Geom, gp: Geom, F: number, dp: Float32Array): Float32Array {
  const dw = new Float32Array(g.KH * g.KW * g.C * F);
  for (let tap = 0; tap < g.KH * g.KW; tap++) dw.set(dp.subarray(tap * gp.C * F, tap * gp.C * F + g.C * F), tap * g.C * F);
  return dw;
}

/** Rows of `len` floats (srcStride apart) into rows dstStride apart, zero-filled past len, split over the threads by rows. */
function copyRowsOnThreads(rt: SimdRuntime, rows: number, src: number, srcStride: number, len: number, dst: number, dstStride: number): void {
  parallelRange(rt, rows, 4096, (lo, hi) => ({ fn: 'copyRows', args: [src, srcStride, len, dst, dstStride, lo, hi] }));
}
