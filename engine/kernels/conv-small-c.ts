// Direct convolution kernels over a zero-padded copy of the images (convSmallC, convFilterGradSmallC
// in kernels.as): any stride, dilation and padding, no bounds checks, no im2col. They serve the
// shapes implicit GEMM handles poorly: a first layer (grey, RGB or RGBA images, 1-4 channels), whose
// reduction (taps × channels: 9-75) is so short that packing costs as much as the multiply-adds, and
// filter gradients with few filters (8 or fewer), whose GEMM would be one thin panel wide.
// Measured on 2 threads against the paths they replace (batch 32-64):
//   filter gradient: 1.1-1.2× faster for 3 channels, 1.6× for LeNet-5's 5×5×1×6; with 8 or fewer
//   filters and more channels, 1.1-1.55× faster than the former few-filter kernel (now removed);
//   forward, against implicit GEMM, in one process, alternating: one channel 1.7× (as the former
//   one-channel kernel, which this one matches at every filter count); 3-4 channels with up to 24
//   filters 1.16-1.75× (3×3×3→16 on 32×32: 1.43×; 5×5×3→16 on 48×48: 1.26×; stride 2: 1.24×). At 32
//   filters a tie on an Intel Xeon (Sapphire Rapids) and 1.08-1.23× on an AMD EPYC (Zen 4; 3×3×3→32
//   on 32×32: 1.17×, 5×5 on 48×48: 1.2×, 7×7 stride 2 on 64×64: 1.23×, 3×3 stride 2 on 48×48: 1.1×;
//   0.97-1.0 on 224×224 and 5×5 stride 2), so up to 32 filters take it; at 64, 7-21% slower on the
//   Xeon and a tie on the EPYC, where one packed panel serves 8 blocks of filters: those stay on
//   implicit GEMM. (A first layer's input gradient is never computed in training; see conv-layer.ts.)
import type { SimdRuntime } from './simd/runtime';
import { ACT_CODE, type FusedAct, type Geom } from './conv-geometry';
import { reductionChunks } from './reduction-chunks';
import { addChunksInto } from './gemm';

/** At most this many input channels, or this many filters, take the direct filter gradient. */
const DIRECT_GRAD_MAX_C = 4, DIRECT_GRAD_MAX_F = 8;

/** Whether convolution g's filter gradient (F filters) takes the direct kernel. */
export function usesDirectFilterGrad(g: Geom, F: number): boolean {
  return smallCEnabled && (g.C <= DIRECT_GRAD_MAX_C || F <= DIRECT_GRAD_MAX_F);
}

/**
 * Whether convolution g's forward pass (F filters) takes the few-channel kernel: one input channel,
 * up to 4 with up to 32 filters, or (stride 1, not pointwise) up to 8 with up to 16 filters, such as
 * LeNet-5's second layer (5x5, 6 -> 16). Those reach here only where no Winograd path took them
 * (channels not a multiple of 4, or larger kernels); against implicit GEMM, batch 32-64, one
 * process, alternating, bias + relu: 5x5 6->16 'valid' on 14x14 1.07x, 'same' on 28x28 1.30x, 5x5
 * 5->10 on 24x24 1.32x, 3x3 6->12 on 16x16 1.24x, 7->16 on 32x32 1.17x, 6->8 'valid' on 48x48
 * 1.58x, 7x7 8->16 on 32x32 1.22x; stride 2 (3x3 6->16 on 32x32) 0.91x, so not there.
 */
export function usesSmallCForward(g: Geom, F: number): boolean {
  if (!smallCEnabled) return false;
  if (g.C === 1 || (g.C <= 4 && F <= SMALL_C_FORWARD_MAX_F)) return true;
  return smallCMidEnabled && g.C <= 8 && F <= 16 && g.sh === 1 && g.sw === 1 && g.KH * g.KW > 1;
}
let smallCMidEnabled = process.env.GLASSWING_SMALL_C_MID !== '0';
/** For comparisons and tests: the few-channel forward kernel for 5-8 channels on (stride 1, up to 16 filters) or off. */
export function setSmallCMid(on: boolean): void {
  smallCMidEnabled = on;
}
const SMALL_C_FORWARD_MAX_F = 32;
let smallCEnabled = process.env.GLASSWING_SMALL_C !== '0';
/** For comparisons and tests: the direct kernels on, or off (implicit GEMM and Winograd). */
export function setSmallC(on: boolean): void {
  smallCEnabled = on;
}

/** The zero-padded copy of the images every output pixel reads from without bounds checks. */
interface Padded { xp: number; Hp: number; Wp: number }

function padImages(rt: SimdRuntime, g: Geom, px: number): Padded {
  // Rows and columns the last output pixel's last tap reaches, counted from the top-left padding.
  const needH = (g.OH - 1) * g.sh + (g.KH - 1) * g.dh + 1, needW = (g.OW - 1) * g.sw + (g.KW - 1) * g.dw + 1;
  const pb = Math.max(0, needH - g.pt - g.H), pr = Math.max(0, needW - g.pl - g.W);
  // Nothing to pad ('valid', or 'same' whose padding no tap reaches): the images as they are.
  if (g.pt === 0 && g.pl === 0 && pb === 0 && pr === 0) return { xp: px, Hp: g.H, Wp: g.W };
  const Hp = g.H + g.pt + pb, Wp = g.W + g.pl + pr;
  const xp = rt.alloc(g.N * Hp * Wp * g.C);
  rt.exports.pad2d(px, g.N, g.H, g.W, g.C, g.pt, pb, g.pl, pr, 0, xp);
  return { xp, Hp, Wp };
}

/** y = act(conv(x, w) + bias) for x at arena address px, w ([KH, KW, C, F]) at pw, bias at pb (0: none), into out. */
export function convSmallCInto(rt: SimdRuntime, g: Geom, F: number, px: number, pw: number, pb: number, act: FusedAct, out: number): void {
  const { xp, Hp, Wp } = padImages(rt, g, px);
  // Weights as [F8/8][K][8] (blocks of 8 filters, zero past F), bias padded to F8.
  const K = g.KH * g.KW * g.C, F8 = Math.ceil(F / 8) * 8;
  const w8 = rt.alloc(K * F8);
  rt.zero(w8, K * F8);
  const f32 = rt.f32, wb = pw >> 2, w8b = w8 >> 2;
  for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) f32[w8b + (f >> 3) * K * 8 + k * 8 + (f & 7)] = f32[wb + k * F + f]!;
  let b8 = 0;
  if (pb) {
    b8 = rt.alloc(F8);
    rt.zero(b8, F8);
    f32.copyWithin(b8 >> 2, pb >> 2, (pb >> 2) + F);
  }
  const rows = g.N * g.OH;
  const works = Array.from({ length: rt.threads }, () => rt.alloc(48));
  const per = Math.max(1, Math.ceil(rows / (6 * rt.threads)));
  const tasks: number[][] = [];
  for (let r = 0; r < rows; r += per) tasks.push([xp, Hp, Wp, g.C, g.KH, g.KW, g.sh, g.sw, g.dh, g.dw, w8, F, b8, ACT_CODE[act], out, g.OH, g.OW, r, Math.min(rows, r + per)]);
  rt.runTasks('convSmallC', tasks, (t) => [works[t]!]);
}

/** dw [KH, KW, C, F] for x [N, H, W, C] and dy [N, OH, OW, F], summed over fixed chunks of images (may be a view of the arena, as conv.ts returns). */
export function filterGradSmallC(rt: SimdRuntime, g: Geom, F: number, x: Float32Array, dy: Float32Array): Float32Array {
  const K = g.KH * g.KW * g.C, K4 = Math.ceil(K / 4) * 4;
  const { xp, Hp, Wp } = padImages(rt, g, rt.put(x));
  // Each reduction row's byte offset from an output pixel's first input; rows past K read offset 0.
  const rowOffsets = new Int32Array(K4);
  for (let ky = 0; ky < g.KH; ky++) {
    for (let kx = 0; kx < g.KW; kx++) {
      for (let c = 0; c < g.C; c++) rowOffsets[(ky * g.KW + kx) * g.C + c] = ((ky * g.dh * Wp + kx * g.dw) * g.C + c) * 4;
    }
  }
  const offs = rt.putI32(rowOffsets);
  // dy rows are read 8 filters wide: 8 floats of slack after the last one (lanes past F only feed
  // accumulator lanes that are dropped). A dy already in the kernels' memory is read in place when
  // the memory goes on past it; otherwise it is copied next to slack.
  const at = rt.inPlaceAddress(dy);
  let dy8 = at;
  if (!at || at + (dy.length + 8) * 4 > rt.memory.buffer.byteLength) {
    dy8 = rt.alloc(dy.length + 8);
    rt.f32.set(dy, dy8 >> 2);
  }
  const F8 = Math.ceil(F / 8) * 8;
  // One accumulator per chunk of images, summed in chunk order (see reduction-chunks.ts).
  const chunks = reductionChunks(g.N, 1, K4 * F8);
  const accs = chunks.slice(1).map(() => rt.alloc(K4 * F8));
  for (const acc of accs) rt.zero(acc, K4 * F8);
  rt.runTasks('convFilterGradSmallC', accs.map((acc, i) => [xp, Hp, Wp, g.C, g.sh, g.sw, dy8, F, offs, K4, g.OH, g.OW, chunks[i]!, chunks[i + 1]!, acc]));
  // The chunks' sums in chunk order, in the kernels' memory (a JS loop over them cost 1% of a
  // residual net's training step), then the K x F corner of the K4 x F8 accumulator.
  const sum = accs[0]!;
  addChunksInto(rt, sum, accs.slice(1), K4 * F8);
  if (F8 === F) return rt.view(sum, K * F);
  const dw = new Float32Array(K * F), f32 = rt.f32, base = sum >> 2;
  for (let k = 0; k < K; k++) dw.set(f32.subarray(base + k * F8, base + k * F8 + F), k * F);
  return dw;
}
