// SpaceToBatchND and BatchToSpaceND of NHWC images (a 2-D block): the phase split and merge of a
// dilated convolution's training (compute/dilated-conv.ts). The stock cpu and wasm kernels pad,
// reshape and run a 6-D transpose through generic index arithmetic: 350 ms for one 32×48×48×32
// batch on wasm, which left a net with two dilated layers at 0.06× PyTorch's training speed. Both
// backends run one SIMD kernel instead (spaceToBatch2d in kernels.as: each pixel's channels one
// vector copy, rows of pixels shared among the threads; 0.8 ms for that batch on wasm, in place).

/** [N, H, W, C] image, [bh, bw] block, and the padding (space to batch) or cropping (batch to space) of H and W. */
export interface PhaseGeometry { N: number; H: number; W: number; C: number; bh: number; bw: number; top: number; left: number }

/** The geometry when x is a 4-D image with a 2-D block, else null (the stock kernel takes it). */
export function phaseGeometry(shape: number[], block: number[], edges: number[][]): PhaseGeometry | null {
  if (shape.length !== 4 || block.length !== 2 || edges.length !== 2) return null;
  const [N, H, W, C] = shape as [number, number, number, number];
  const [bh, bw] = block as [number, number];
  return { N, H, W, C, bh, bw, top: edges[0]![0]!, left: edges[1]![0]! };
}

/** One call of spaceToBatch2d: the output's shape, the rows it writes, and its arguments for the image's and the phases' addresses. */
export interface PhaseJob { shape: [number, number, number, number]; rows: number; args(image: number, phases: number): number[] }

/**
 * mode 0 (SpaceToBatchND of x, `edges` its paddings) or 1 (BatchToSpaceND of x, `edges` its crops),
 * g being x's geometry. Phase (r, s) of image n is batch (r·bw + s)·N + n, as TF.js orders them.
 */
export function phaseJob(g: PhaseGeometry, edges: number[][], mode: 0 | 1): PhaseJob {
  const shape: [number, number, number, number] = mode === 0
    ? [g.bh * g.bw * g.N, (g.H + edges[0]![0]! + edges[0]![1]!) / g.bh, (g.W + edges[1]![0]! + edges[1]![1]!) / g.bw, g.C]
    : [g.N / (g.bh * g.bw), g.H * g.bh - edges[0]![0]! - edges[0]![1]!, g.W * g.bw - edges[1]![0]! - edges[1]![1]!, g.C];
  const input: [number, number, number, number] = [g.N, g.H, g.W, g.C];
  const [image, phases] = mode === 0 ? [input, shape] : [shape, input];
  return {
    shape,
    rows: mode === 0 ? phases[0] * phases[1] : image[0] * image[1],
    args: (pImage, pPhases) => [pImage, image[0], image[1], image[2], g.C, g.bh, g.bw, g.top, g.left, pPhases, phases[1], phases[2], mode],
  };
}
