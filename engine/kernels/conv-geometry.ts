// A convolution's geometry as the SIMD kernels read it, and the activation codes they take, shared by
// the convolution paths (conv.ts, conv-small-c.ts) and the depthwise kernels.
import { backend_util } from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import type { Activation } from './gemm';

/** Activations fused into the forward pass (those tfjs-layers and FusedConv2D commonly use). */
export type FusedAct = Activation;

/** The kernels' activation argument: 0 linear, 1 relu, 2 relu6. */
export const ACT_CODE: Record<FusedAct, number> = { linear: 0, relu: 1, relu6: 2 };

export interface Geom { N: number; H: number; W: number; C: number; KH: number; KW: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number; OH: number; OW: number }

export function geomOf(ci: backend_util.Conv2DInfo): Geom {
  return {
    N: ci.batchSize, H: ci.inHeight, W: ci.inWidth, C: ci.inChannels, KH: ci.filterHeight, KW: ci.filterWidth,
    sh: ci.strideHeight, sw: ci.strideWidth, dh: ci.dilationHeight, dw: ci.dilationWidth, pt: ci.padInfo.top, pl: ci.padInfo.left,
    OH: ci.outHeight, OW: ci.outWidth,
  };
}

/**
 * Whether the last output window reaches past the padded input. Only a numeric padding with
 * dimRoundingMode 'ceil' or 'round' does that (10 rows padded by 1, a 1x1 kernel at stride 3 and
 * 'ceil': 5 outputs, the last reading row 11 of 0-10). Glasswing's kernels assume every window
 * lies inside the padded input: convolutions take the covering padding below, poolings the stock kernels.
 */
export function windowsPastPadding(ci: backend_util.Conv2DInfo): boolean {
  return coveringPadding(ci) !== null;
}

/**
 * For a convolution whose last windows reach past the padded input (windowsPastPadding), explicit
 * padding ([[0, 0], [top, bottom], [left, right], [0, 0]]) that pads its input to cover them, with
 * the same output size: TF reads zeros there. Null where the windows fit.
 */
export function coveringPadding(ci: backend_util.Conv2DInfo): [[0, 0], [number, number], [number, number], [0, 0]] | null {
  const reach = (out: number, stride: number, filter: number, dilation: number) => (out - 1) * stride + (filter - 1) * dilation + 1;
  const rh = reach(ci.outHeight, ci.strideHeight, ci.filterHeight, ci.dilationHeight), rw = reach(ci.outWidth, ci.strideWidth, ci.filterWidth, ci.dilationWidth);
  const { top, left } = ci.padInfo, bottom = Math.max(0, ci.padInfo.bottom), right = Math.max(0, ci.padInfo.right);
  if (rh <= ci.inHeight + top + bottom && rw <= ci.inWidth + left + right) return null;
  return [[0, 0], [top, Math.max(bottom, rh - ci.inHeight - top)], [left, Math.max(right, rw - ci.inWidth - left)], [0, 0]];
}

/**
 * The top-left [N, OH, OW, C] block of an NHWC tensor [N, H, W, C] (H ≥ OH, W ≥ OW), or null where it
 * is smaller. TF's conv2d gradient drops dimRoundingMode, so a rounded-up convolution's dy arrives
 * larger than the gradient's geometry; the stock cpu kernels read this block of it.
 */
export function topLeftBlock(values: Float32Array, shape: readonly number[], out: readonly number[]): Float32Array | null {
  const [N, H, W, C] = shape as [number, number, number, number];
  const [, OH, OW] = out as [number, number, number, number];
  if (!holdsBlock(shape, out)) return null;
  if (OH === H && OW === W) return values;
  const block = new Float32Array(N * OH * OW * C);
  for (let n = 0; n < N; n++) for (let y = 0; y < OH; y++) block.set(values.subarray(((n * H + y) * W) * C, ((n * H + y) * W + OW) * C), ((n * OH + y) * OW) * C);
  return block;
}

/**
 * The geometry of a channels-last convolution kernel call (x, filter, the op's attributes), or null
 * for channels-first (the stock kernel's). Windows past the padded input (a numeric padding rounded
 * up) get the same output over explicit padding that covers them, which the kernels (and XNNPACK)
 * read as the zeros TF reads there.
 */
export function convInfoOf(xShape: number[], filterShape: number[], attrs: NamedAttrMap, dilations: number | [number, number] = 1, depthwise = false): backend_util.Conv2DInfo | null {
  const fmt = attrs.dataFormat === undefined ? 'channelsLast' : backend_util.convertConv2DDataFormat(attrs.dataFormat as 'NHWC' | 'NCHW');
  if (fmt !== 'channelsLast') return null;
  const info = (pad: backend_util.ExplicitPadding | 'same', rounding: 'round' | undefined) => backend_util.computeConv2DInfo(xShape as [number, number, number, number],
    filterShape as [number, number, number, number], attrs.strides as [number, number], dilations, pad, rounding, depthwise, fmt);
  const ci = info(attrs.pad as 'same', attrs.dimRoundingMode as 'round');
  const covering = coveringPadding(ci);
  return covering ? info(covering, undefined) : ci;
}

/** A pooling kernel call's geometry, or null where the stock kernel should run it (windowsPastPadding). */
export function poolInfoOf(xShape: number[], attrs: NamedAttrMap): backend_util.Conv2DInfo | null {
  const pi = backend_util.computePool2DInfo(xShape as [number, number, number, number], attrs.filterSize as [number, number],
    attrs.strides as [number, number], 1, attrs.pad as 'same', attrs.dimRoundingMode as 'round');
  return windowsPastPadding(pi) ? null : pi;
}

/** Whether an NHWC tensor of `shape` holds a top-left block of shape `out` (topLeftBlock). */
export function holdsBlock(shape: readonly number[], out: readonly number[]): boolean {
  return shape.length === 4 && out.length === 4 && out[0] === shape[0] && out[3] === shape[3] && out[1]! <= shape[1]! && out[2]! <= shape[2]!;
}
