// A convolution's geometry as the SIMD kernels read it, and the activation codes they take, shared by
// the convolution paths (conv.ts, conv-small-c.ts) and the depthwise kernels.
import type { backend_util } from '@tensorflow/tfjs-core';
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
