// The gradient of nearest-neighbour resizing (UpSampling2D), for the cpu backend: TF.js 4.22's stock
// cpu kernel offsets dy by the images' batch stride instead of dy's, so every image after the first
// got another image's gradient (an UpSampling2D layer trained on `cpu` with batches over 1 learned
// from the wrong values; the wasm kernel is right). This is the same computation with dy's own
// offsets, as the adjoint of the forward resize: every dy value goes to the input pixel the forward
// pass read it from.
import type { NamedAttrMap } from '@tensorflow/tfjs-core';

/** dx [N, H, W, C] for dy [N, OH, OW, C] of resizeNearestNeighbor (halfPixelCenters false), summed in float64. */
export function resizeNearestNeighborGrad(imagesShape: number[], dyShape: number[], dy: Float32Array, attrs: NamedAttrMap): Float32Array {
  const [N, H, W, C] = imagesShape as [number, number, number, number];
  const [, OH, OW] = dyShape as [number, number, number];
  const alignCorners = !!attrs.alignCorners;
  // The forward pass's source of output row oy: floor (or, aligning corners, round) of oy · scale.
  const source = (inSize: number, outSize: number): Int32Array => {
    const scale = (alignCorners && outSize > 1 ? inSize - 1 : inSize) / (alignCorners && outSize > 1 ? outSize - 1 : outSize);
    return Int32Array.from({ length: outSize }, (_, o) => Math.min(inSize - 1, alignCorners ? Math.round(o * scale) : Math.floor(o * scale)));
  };
  const rows = source(H, OH), cols = source(W, OW);
  const acc = new Float64Array(N * H * W * C);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const from = ((n * OH + oy) * OW + ox) * C, to = ((n * H + rows[oy]!) * W + cols[ox]!) * C;
        for (let c = 0; c < C; c++) acc[to + c]! += dy[from + c]!;
      }
    }
  }
  return Float32Array.from(acc);
}
