// SpaceToBatchND and BatchToSpaceND of NHWC images (a 2-D block): the phase split and merge of a
// dilated convolution's training (compute/dilated-conv.ts). The stock cpu and wasm kernels pad,
// reshape and run a 6-D transpose through generic index arithmetic: 350 ms for one 32×48×48×32
// batch on wasm, which left a net with two dilated layers at 0.06× PyTorch's training speed. Here
// each pixel's channels are one contiguous copy: in JavaScript for cpu (4-5 ms for that batch), in
// the SIMD module on wasm (spaceToBatch2d in kernels.as, 0.8 ms, on the threads where large).

/** [N, H, W, C] image, [bh, bw] block, and the padding (space to batch) or cropping (batch to space) of H and W. */
export interface PhaseGeometry { N: number; H: number; W: number; C: number; bh: number; bw: number; top: number; left: number }

/** The geometry when x is a 4-D image with a 2-D block, else null (the stock kernel takes it). */
export function phaseGeometry(shape: number[], block: number[], edges: number[][]): PhaseGeometry | null {
  if (shape.length !== 4 || block.length !== 2 || edges.length !== 2) return null;
  const [N, H, W, C] = shape as [number, number, number, number];
  const [bh, bw] = block as [number, number];
  return { N, H, W, C, bh, bw, top: edges[0]![0]!, left: edges[1]![0]! };
}

/**
 * out [bh·bw·N, OH, OW, C] = the phases of x [N, H, W, C] padded by zeros (top and left as given;
 * OH = padded height / bh): out[(r·bw + s)·N + n, i, j] = padded x[n, i·bh + r, j·bw + s], as TF.js orders them.
 */
export function spaceToBatchInto(out: Float32Array, x: Float32Array, g: PhaseGeometry, OH: number, OW: number): void {
  const { N, H, W, C, bh, bw, top, left } = g;
  let o = 0;
  for (let r = 0; r < bh; r++) {
    for (let s = 0; s < bw; s++) {
      for (let n = 0; n < N; n++) {
        for (let i = 0; i < OH; i++) {
          const y = i * bh + r - top;
          if (y < 0 || y >= H) {
            out.fill(0, o, o + OW * C);
            o += OW * C;
            continue;
          }
          const row = (n * H + y) * W;
          for (let j = 0; j < OW; j++) {
            const xx = j * bw + s - left;
            if (xx < 0 || xx >= W) out.fill(0, o, o + C);
            else for (let c = 0, a = (row + xx) * C; c < C; c++) out[o + c] = x[a + c]!;
            o += C;
          }
        }
      }
    }
  }
}

/**
 * out [N / (bh·bw), OH, OW, C] = the phases y [N, h, w, C] (g is y's geometry) interleaved back,
 * cropped by top and left (OH = h·bh minus the crops): out[n, I, J] = y[(r·bw + s)·N' + n, i, j]
 * where N' = N / (bh·bw), I + top = i·bh + r and J + left = j·bw + s.
 */
export function batchToSpaceInto(out: Float32Array, y: Float32Array, g: PhaseGeometry, OH: number, OW: number): void {
  const { H: h, W: w, C, bh, bw, top, left } = g;
  const N = g.N / (bh * bw);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let I = 0; I < OH; I++) {
      const r = (I + top) % bh, i = (I + top - r) / bh;
      for (let J = 0; J < OW; J++) {
        const s = (J + left) % bw, j = (J + left - s) / bw;
        const at = ((((r * bw + s) * N + n) * h + i) * w + j) * C;
        for (let c = 0; c < C; c++) out[o + c] = y[at + c]!;
        o += C;
      }
    }
  }
}

/** SpaceToBatchND's output shape for x's geometry and its paddings. */
export function spaceToBatchShape(g: PhaseGeometry, paddings: number[][]): [number, number, number, number] {
  return [g.bh * g.bw * g.N, (g.H + paddings[0]![0]! + paddings[0]![1]!) / g.bh, (g.W + paddings[1]![0]! + paddings[1]![1]!) / g.bw, g.C];
}

/** BatchToSpaceND's output shape for y's geometry ([batch, h, w, C]) and its crops. */
export function batchToSpaceShape(g: PhaseGeometry, crops: number[][]): [number, number, number, number] {
  return [g.N / (g.bh * g.bw), g.H * g.bh - crops[0]![0]! - crops[0]![1]!, g.W * g.bw - crops[1]![0]! - crops[1]![1]!, g.C];
}
