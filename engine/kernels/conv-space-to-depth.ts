// 4×4 and 5×5 stride-2 convolutions as 3×3 stride-1 ones. Grouping the input's pixels in 2×2 blocks
// (space to depth: an [N, ceil(H/2), ceil(W/2), 4C] image, block (j, i) holding pixels (2j + ry,
// 2i + rx)) turns tap k of an axis into tap q = (k + p) / 2 of a 3×3 convolution over 4C channels
// padded by ceil(p/2) (p: the convolution's padding before that axis; the taps that fall outside
// the kernel are zeros: k + (p mod 2) is at most 5 for both sizes, so q stays within 0..2). Aligning
// the blocks with the image rather than with the padding keeps the block image no larger than the
// image, so the input gradient, a convolution producing it, computes nothing that is thrown away.
// That convolution goes through Winograd F(4×4, 3×3): 36·4C products per 16 outputs where the
// direct stride-2 convolution takes 25·C (5×5) or 16·C (4×4) per output, 2.8× or 1.8× fewer. Its
// input gradient is the 3×3 one's, mapped back pixel for pixel, and its filter gradient the 3×3
// one's, the zero taps dropped. conv.ts decides when (usesSpaceToDepth) and runs the passes.
import type { SimdRuntime } from './simd/runtime';
import type { Geom } from './conv-geometry';
import { parallelRange } from './gemm';

/** The 3×3 stride-1 convolution over the space-to-depth image (padded by ceil(p/2) before each axis) that computes g (4×4 or 5×5, stride 2). */
export function spaceToDepthGeom(g: Geom): Geom {
  return { N: g.N, H: Math.ceil(g.H / 2), W: Math.ceil(g.W / 2), C: 4 * g.C, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: Math.ceil(g.pt / 2), pl: Math.ceil(g.pl / 2), OH: g.OH, OW: g.OW };
}

/**
 * Whether g's shape allows it: 4×4 or 5×5 (either per axis), stride 2, undilated, padding of at most 4 before each axis
 * (every 'same' and 'valid' one; the 3×3 convolution's input gradient pads by 2 - ceil(p/2)).
 */
export function spaceToDepthShape(g: Geom): boolean {
  return (g.KH === 4 || g.KH === 5) && (g.KW === 4 || g.KW === 5) && g.sh === 2 && g.sw === 2 && g.dh === 1 && g.dw === 1 && g.pt >= 0 && g.pl >= 0 && g.pt <= 4 && g.pl <= 4;
}

/**
 * mode 0: the space-to-depth image of x (at px) into s (at ps); mode 1: the image gradient at px
 * from s's gradient at ps (each pixel written once). Split over the threads by rows of s.
 */
export function spaceToDepthInto(rt: SimdRuntime, g: Geom, px: number, ps: number, mode: 0 | 1): void {
  const s = spaceToDepthGeom(g);
  parallelRange(rt, g.N * s.H, 4, (lo, hi) => ({ fn: 'spaceToDepth2', args: [px, g.H, g.W, g.C, ps, s.H, s.W, lo, hi, mode] }));
}

/** The space-to-depth image of x (at px), in a new arena block; returns its address. */
export function spaceToDepthImage(rt: SimdRuntime, g: Geom, px: number): number {
  const s = spaceToDepthGeom(g);
  const ps = rt.alloc(s.N * s.H * s.W * s.C);
  spaceToDepthInto(rt, g, px, ps, 0);
  return ps;
}

/** The 3×3 convolution's weights [3, 3, 4C, F] from w [KH, KW, C, F] (at pw) into the arena; returns their address. */
export function spaceToDepthFilter(rt: SimdRuntime, g: Geom, F: number, pw: number): number {
  const C = g.C, C4 = 4 * C;
  const out = rt.alloc(9 * C4 * F);
  rt.zero(out, 9 * C4 * F);
  const f32 = rt.f32, wb = pw >> 2, ob = out >> 2;
  for (let ky = 0; ky < g.KH; ky++) {
    for (let kx = 0; kx < g.KW; kx++) {
      const tap = (ky * g.KW + kx) * C * F;
      f32.copyWithin(ob + blockTap(g, ky, kx, F), wb + tap, wb + tap + C * F);
    }
  }
  return out;
}

/** dw [KH, KW, C, F] from the 3×3 convolution's filter gradient d3 ([3, 3, 4C, F]). */
export function spaceToDepthFilterGrad(g: Geom, F: number, d3: Float32Array): Float32Array {
  const C = g.C;
  const dw = new Float32Array(g.KH * g.KW * C * F);
  for (let ky = 0; ky < g.KH; ky++) {
    for (let kx = 0; kx < g.KW; kx++) {
      const src = blockTap(g, ky, kx, F);
      dw.set(d3.subarray(src, src + C * F), (ky * g.KW + kx) * C * F);
    }
  }
  return dw;
}

/**
 * Where tap (ky, kx)'s C×F weights sit in the 3×3 convolution's [3, 3, 4C, F]: per axis, k + p = 2q + r
 * (p the padding before the axis), block tap q, pixel r of the 2×2 block.
 */
function blockTap(g: Geom, ky: number, kx: number, F: number): number {
  const y = ky + (g.pt & 1), x = kx + (g.pl & 1);
  return (((y >> 1) * 3 + (x >> 1)) * 4 * g.C + ((y & 1) * 2 + (x & 1)) * g.C) * F;
}
