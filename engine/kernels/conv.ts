// 2-D convolution (NHWC) and its two gradients as im2col + SIMD GEMM. Backend-agnostic: takes
// Float32Arrays and returns one that may be a view of the SIMD arena (valid until the next fast
// kernel runs), so that the wasm backend copies it once, straight into its output.
import type { backend_util } from '@tensorflow/tfjs-core';
import { simd } from './simd/runtime';
import { gemm, parallelRange, splitAligned } from './gemm';

type ConvInfo = backend_util.Conv2DInfo;

/** Activations fused into the forward pass (those tfjs-layers and FusedConv2D commonly use). */
export type FusedAct = 'linear' | 'relu';

function geometry(ci: ConvInfo) {
  const K = ci.filterHeight * ci.filterWidth * ci.inChannels;
  const M = ci.batchSize * ci.outHeight * ci.outWidth;
  // A 1x1, stride-1, unpadded convolution is a plain matrix product over the input itself.
  const pointwise = ci.filterHeight === 1 && ci.filterWidth === 1 && ci.strideHeight === 1 && ci.strideWidth === 1 &&
    ci.padInfo.top === 0 && ci.padInfo.left === 0 && ci.outHeight === ci.inHeight && ci.outWidth === ci.inWidth;
  return { K, M, pointwise };
}

function im2colArgs(ci: ConvInfo): number[] {
  return [ci.inHeight, ci.inWidth, ci.inChannels, ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth,
    ci.dilationHeight, ci.dilationWidth, ci.padInfo.top, ci.padInfo.left, ci.outHeight, ci.outWidth];
}

/** Lays the receptive fields of input (arena address px) out as rows; returns the col address. */
function im2col(ci: ConvInfo, px: number): number {
  const rt = simd();
  const { K, M, pointwise } = geometry(ci);
  if (pointwise) return px;
  const col = rt.alloc(M * K);
  const args = im2colArgs(ci);
  parallelRange(rt, M, 256, (lo, hi) => ({ fn: 'im2col', args: [px, ...args, col, lo, hi] }));
  return col;
}

/** y = act(conv(x, w) + bias), NHWC x, [KH, KW, C, F] w. */
export function conv2dForward(ci: ConvInfo, x: Float32Array, w: Float32Array, bias: Float32Array | null, act: FusedAct): Float32Array {
  const rt = simd();
  rt.reset();
  const { K, M } = geometry(ci);
  const F = ci.outChannels;
  const px = rt.put(x);
  const pw = rt.put(w);
  const pb = bias ? rt.put(bias) : 0;
  const col = im2col(ci, px);
  const out = rt.alloc(M * F);
  gemm(rt, M, F, K, { addr: col, rs: K, cs: 1 }, { addr: pw, rs: F, cs: 1 }, out, F, true);
  if (bias || act !== 'linear') rt.exports.biasAct(out, M, F, pb, act === 'relu' ? 1 : 0);
  return rt.view(out, M * F);
}

/** dx = conv2d's input gradient for dy [N, OH, OW, F] and w [KH, KW, C, F]. */
export function conv2dBackpropInput(ci: ConvInfo, dy: Float32Array, w: Float32Array): Float32Array {
  const rt = simd();
  rt.reset();
  const { K, M, pointwise } = geometry(ci);
  const F = ci.outChannels;
  const pdy = rt.put(dy);
  const pw = rt.put(w);
  const dcol = rt.alloc(M * K);
  // dcol[M, K] = dy[M, F] * w^T, w viewed as [K, F].
  gemm(rt, M, K, F, { addr: pdy, rs: F, cs: 1 }, { addr: pw, rs: 1, cs: F }, dcol, K, true);
  const size = ci.batchSize * ci.inHeight * ci.inWidth * ci.inChannels;
  if (pointwise) return rt.view(dcol, size);
  const dx = rt.alloc(size);
  rt.zero(dx, size);
  const args = im2colArgs(ci);
  // Split by image so that no two threads add into the same dx element.
  parallelRange(rt, ci.batchSize, 1, (lo, hi) => ({ fn: 'col2im', args: [dcol, ...args, dx, lo, hi] }));
  return rt.view(dx, size);
}

/** dw = conv2d's filter gradient for x [N, H, W, C] and dy [N, OH, OW, F], shaped [KH, KW, C, F]. */
export function conv2dBackpropFilter(ci: ConvInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const rt = simd();
  rt.reset();
  const { K, M } = geometry(ci);
  const F = ci.outChannels;
  if (F <= 8) return filterGradSmallF(ci, x, dy);
  const px = rt.put(x);
  const pdy = rt.put(dy);
  const col = im2col(ci, px);
  const dw = rt.alloc(K * F);
  // dw[K, F] = col^T [K, M] * dy[M, F].
  gemm(rt, K, F, M, { addr: col, rs: 1, cs: K }, { addr: pdy, rs: F, cs: 1 }, dw, F, true);
  return rt.view(dw, K * F);
}

/** The filter gradient for at most 8 filters, straight from x and dy (no im2col), split by image. */
function filterGradSmallF(ci: ConvInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const rt = simd();
  const F = ci.outChannels;
  const taps = ci.filterHeight * ci.filterWidth * ci.inChannels;
  const px = rt.put(x);
  // dy rows are read 8 floats wide: pad the block so the last row's read stays inside it.
  const pdy = rt.alloc(dy.length + 8);
  rt.f32.set(dy, pdy >> 2);
  const T = Math.max(1, Math.min(rt.threads, ci.batchSize));
  const split = splitAligned(ci.batchSize, T, 1);
  const accs: number[] = [];
  for (let t = 0; t < T; t++) accs.push(rt.alloc(taps * 8));
  rt.run(accs.map((acc, t) => ({
    fn: 'convFilterGradSmallF' as const,
    args: [px, pdy, acc, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth, F, ci.filterHeight, ci.filterWidth,
      ci.strideHeight, ci.strideWidth, ci.dilationHeight, ci.dilationWidth, ci.padInfo.top, ci.padInfo.left, split[t]!, split[t + 1]!],
  })));
  const out = new Float32Array(taps * F);
  const f32 = rt.f32;
  for (const acc of accs) {
    const base = acc >> 2;
    for (let k = 0; k < taps; k++) for (let f = 0; f < F; f++) out[k * F + f]! += f32[base + k * 8 + f]!;
  }
  return out;
}
