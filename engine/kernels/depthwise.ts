// Depthwise 2-D convolution (NHWC, filter [KH, KW, C, M], output channel c*M + q) and its two
// gradients on the SIMD module, split by image across threads. Backend-agnostic like conv.ts: takes
// Float32Arrays and returns one that may be a view of the SIMD arena (valid until the next fast
// kernel runs).
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { simd, type SimdRuntime } from './simd/runtime';
import { ACT_CODE, convInfoOf, type FusedAct } from './conv-geometry';
import { reductionChunks } from './reduction-chunks';
import { addChunksInto } from './gemm';

type ConvInfo = backend_util.Conv2DInfo;

/** Geometry words (kernels.as G_* offsets, then the channel multiplier at G_M). */
export function depthwiseGeometry(ci: ConvInfo): number[] {
  return [ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth,
    ci.dilationHeight, ci.dilationWidth, ci.padInfo.top, ci.padInfo.left, ci.outHeight, ci.outWidth, ci.outChannels / ci.inChannels];
}

/** Bytes of tap-list scratch the depthwise kernels need. */
export function depthwiseWorkBytes(ci: ConvInfo): number {
  return ci.filterHeight * ci.filterWidth * 8 + 64;
}

/** One task per image, each thread with its own tap-list scratch. */
function byImage(rt: SimdRuntime, N: number, workBytes: number, fn: 'depthwiseForward' | 'depthwiseBackpropInput', args: (n: number) => number[]): void {
  const works = Array.from({ length: rt.threads }, () => rt.alloc(workBytes / 4));
  rt.runTasks(fn, Array.from({ length: N }, (_, n) => args(n)), (t) => [works[t]!]);
}

/** y = act(depthwise(x, w) + bias). */
export function depthwiseForward(ci: ConvInfo, x: Float32Array, w: Float32Array, bias: Float32Array | null, act: FusedAct): Float32Array {
  const rt = simd();
  rt.reset();
  const px = rt.put(x), pw = rt.put(w), pb = bias ? rt.put(bias) : 0;
  const g = rt.putI32(depthwiseGeometry(ci));
  const size = ci.batchSize * ci.outHeight * ci.outWidth * ci.outChannels;
  const out = rt.result(size);
  byImage(rt, ci.batchSize, depthwiseWorkBytes(ci), 'depthwiseForward', (n) => [px, pw, pb, out, g, ACT_CODE[act], n, n + 1]);
  return rt.view(out, size);
}

/** dx of a depthwise convolution for dy [N, OH, OW, C*M] and w [KH, KW, C, M]. */
export function depthwiseBackpropInput(ci: ConvInfo, dy: Float32Array, w: Float32Array): Float32Array {
  const rt = simd();
  rt.reset();
  const pdy = rt.put(dy), pw = rt.put(w);
  const g = rt.putI32(depthwiseGeometry(ci));
  const size = ci.batchSize * ci.inHeight * ci.inWidth * ci.inChannels;
  const dx = rt.result(size);
  byImage(rt, ci.batchSize, depthwiseWorkBytes(ci), 'depthwiseBackpropInput', (n) => [pdy, pw, dx, g, n, n + 1]);
  return rt.view(dx, size);
}

/** dw of a depthwise convolution for x [N, H, W, C] and dy [N, OH, OW, C*M], shaped [KH, KW, C, M]. */
export function depthwiseBackpropFilter(ci: ConvInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const rt = simd();
  rt.reset();
  const px = rt.put(x), pdy = rt.put(dy);
  const g = rt.putI32(depthwiseGeometry(ci));
  const size = ci.filterHeight * ci.filterWidth * ci.outChannels;
  // One accumulator per chunk of images, summed in chunk order (see reduction-chunks.ts).
  const chunks = reductionChunks(ci.batchSize, 1, size);
  const accs = chunks.slice(1).map((_, k) => (k === 0 ? rt.result(size) : rt.alloc(size)));
  for (const acc of accs) rt.zero(acc, size);
  const works = Array.from({ length: rt.threads }, () => rt.alloc(depthwiseWorkBytes(ci) / 4));
  rt.runTasks('depthwiseBackpropFilter', accs.map((acc, k) => [px, pdy, g, chunks[k]!, chunks[k + 1]!, acc]), (t) => [works[t]!]);
  addChunksInto(rt, accs[0]!, accs.slice(1), size);
  return rt.view(accs[0]!, size);
}

/** Conv info of a depthwise convolution (NHWC; the backprop kernels' attributes), or null. */
export function depthwiseInfo(xShape: number[], filterShape: number[], attrs: NamedAttrMap): backend_util.Conv2DInfo | null {
  if (xShape.length !== 4 || filterShape.length !== 4) return null;
  return convInfoOf(xShape, filterShape, attrs, (attrs.dilations as [number, number] | undefined) ?? 1, true);
}
