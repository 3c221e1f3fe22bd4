// 2-D convolution (NHWC) and its two gradients as implicit-GEMM (the SIMD GEMM packs im2col panels
// straight from the image, so the im2col matrix is never materialised). Backend-agnostic: takes
// Float32Arrays and returns one that may be a view of the SIMD arena (valid until the next fast
// kernel runs), so that the wasm backend copies it once, straight into its output.
import type { backend_util } from '@tensorflow/tfjs-core';
import { simd, type SimdRuntime } from './simd/runtime';
import { addChunksInto, gemm, gemmReduceK, parallelRange } from './gemm';
import { reductionChunks } from './reduction-chunks';
import { splitAligned } from './split-aligned';
import { ACT_CODE, geomOf, type FusedAct, type Geom } from './conv-geometry';
import { convSmallCInto, filterGradSmallC, usesDirectFilterGrad, usesSmallCForward } from './conv-small-c';
import { channelPaddedFilter, channelPaddedGeom, channelPaddedImage, channelUnpaddedFilterGrad, channelUnpaddedImage } from './conv-channel-pad';
import { spaceToDepthFilter, spaceToDepthFilterGrad, spaceToDepthGeom, spaceToDepthImage, spaceToDepthInto, spaceToDepthShape } from './conv-space-to-depth';

type ConvInfo = backend_util.Conv2DInfo;

export type { FusedAct, Geom } from './conv-geometry';

function geometry(ci: ConvInfo) {
  const K = ci.filterHeight * ci.filterWidth * ci.inChannels;
  const M = ci.batchSize * ci.outHeight * ci.outWidth;
  // A 1x1, stride-1, unpadded convolution is a plain matrix product over the input itself.
  const pointwise = ci.filterHeight === 1 && ci.filterWidth === 1 && ci.strideHeight === 1 && ci.strideWidth === 1 &&
    ci.padInfo.top === 0 && ci.padInfo.left === 0 && ci.outHeight === ci.inHeight && ci.outWidth === ci.inWidth;
  return { K, M, pointwise };
}

/** The geometry words kernels.as reads (G_* offsets), written into the arena; returns the address. */
function putGeometry(rt: SimdRuntime, g: Geom): number {
  return rt.putI32([g.N, g.H, g.W, g.C, g.KH, g.KW, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.OH, g.OW]);
}

/** Whether a convolution goes through Winograd F(2x2, 3x3): 3x3, stride 1, undilated, enough channels. */
export function usesWinograd(g: Geom, F: number): boolean {
  return winogradEnabled && g.KH === 3 && g.KW === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.C >= WINO_MIN_C && F >= WINO_MIN_F && enoughTiles3x3(g, F);
}

/**
 * Whether a 3x3 stride-1 layer has enough tiles to pay for its transformed weights. Winograd's
 * weights (U, 36·C·F values for 4x4 tiles) are transformed, written and read back whatever the
 * batch; past L2 that traffic costs more than the products it saves on a few images of a wide layer
 * (one image of 512→512 at 4x4: 13.7 ms forward against the implicit GEMM's 2.4). Minimum tiles
 * (4x4 output tiles in the batch) by the size of U, from where each path was measured faster
 * (forward, input and filter gradient; batch 1-16 of 8x8 and 4x4 maps, this Intel Xeon): up to 2
 * MiB (a core's L2 here) none, to 4 MiB 12 (128→128: 8 tiles 0.53/0.65/0.87 ms by GEMM against
 * 0.71/0.81/0.81, 16 tiles 1.03/1.10/1.71 against 0.91/0.98/1.08), to 16 MiB 16 (256→256: 16
 * tiles about even, 8 tiles 1.85/2.33/3.31 against 2.06/3.10/3.61), beyond 32 (512→512 at 16
 * tiles 14.0/17.3/25.8 against 22.3/22.4/21.8; at 32 about even).
 */
function enoughTiles3x3(g: Geom, F: number): boolean {
  const uBytes = 36 * g.C * F * 4;
  if (uBytes <= CORE_L2_BYTES) return true;
  const minTiles = uBytes <= 4 << 20 ? 12 : uBytes <= 16 << 20 ? 16 : 32;
  return g.N * Math.ceil(g.OH / 4) * Math.ceil(g.OW / 4) >= minTiles;
}
/** A core's L2 on the development machines (2 MiB on the Xeon): transformed weights beyond it come from memory. */
const CORE_L2_BYTES = 2 << 20;
let winogradEnabled = process.env.GLASSWING_WINOGRAD !== '0';
const WINO_MIN_C = 8, WINO_MIN_F = 8;
/** For comparisons and tests: route 3x3 convolutions through implicit GEMM instead. */
export function setWinograd(on: boolean): void {
  winogradEnabled = on;
}

/** Whether a filter gradient goes through Winograd: as the forward pass, for any channel count. */
export function usesWinogradFilterGrad(g: Geom, F: number): boolean {
  return winogradEnabled && g.KH === 3 && g.KW === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.C >= WINO_DW_MIN_C && F >= WINO_MIN_F && enoughTiles3x3(g, F);
}
const WINO_DW_MIN_C = 8;

function winogradFilterGrad(rt: SimdRuntime, g: Geom, F: number, px: number, pdy: number): Float32Array {
  const { N, C, OH, OW } = g;
  const Cp = (C + 3) & ~3, Fp = Math.ceil(F / 8) * 8;
  const tiles = N * Math.ceil(OH / 2) * Math.ceil(OW / 2);
  // Tiles per block (one task): transformed inputs and output gradients in at most 768 KiB (L2).
  const TB = Math.max(16, Math.min(128, Math.floor((768 * 1024) / (64 * (Cp + Fp))) & ~3));
  const uSize = 16 * Cp * Fp;
  // Per chunk of tiles: U accumulators (zeroed; the chunk's blocks add to them), summed in chunk
  // order (see reduction-chunks.ts); per thread: block scratch.
  const chunks = reductionChunks(tiles, TB, uSize);
  const us = chunks.slice(1).map(() => rt.alloc(uSize));
  for (const u of us) rt.zero(u, uSize);
  const works = Array.from({ length: rt.threads }, () => rt.alloc(16 * TB * (Cp + Fp) + 512));
  const tasks = us.map((u, k) => [px, g.H, g.W, C, g.pt, g.pl, pdy, OH, OW, F, chunks[k]!, chunks[k + 1]!, TB, u]);
  rt.runTasks('winogradFilterGradJob', tasks, (t) => [works[t]!]);
  addChunksInto(rt, us[0]!, us.slice(1), uSize);
  const dw = rt.result(9 * C * F);
  rt.exports.winogradFilterGradFinish(us[0]!, C, F, dw);
  return rt.view(dw, 9 * C * F);
}

/** The filter gradient through 6x6 or 8x8 tiles (m: the output tile, see winograd6Tile), summed over fixed chunks of tiles. */
function winograd6FilterGrad(rt: SimdRuntime, g: Geom, F: number, px: number, pdy: number, m: number): Float32Array {
  const { N, C, OH, OW, KH: r } = g;
  const tiles = N * Math.ceil(OH / m) * Math.ceil(OW / m);
  const points = (m + r - 1) ** 2; // 8x8 or 6x6 input tiles
  const u = usesPointSplitFilterGrad(points, C, F)
    ? winograd6FilterGradByPoints(rt, g, F, px, pdy, m, tiles, points)
    : winogradFilterGradSums(rt, g, F, px, pdy, tiles, points, points, 48 * points + 64, 'winograd6FilterGradJob', [m, r]);
  const dw = rt.result(r * r * C * F);
  byFilterGroups(rt, C, F, 'winograd6FilterGradFinish', (f0, f1) => [u, r, m, C, F, dw, f0, f1], 448);
  return rt.view(dw, r * r * C * F);
}

/**
 * Whether a 6x6- or 8x8-tile filter gradient splits its products by points rather than by chunks of
 * tiles: when U (points·C·Fp floats) is past 2 MiB, a core's L2 here. Chunks of tiles each add into
 * a U of their own, zeroed first and summed after, and every block of a chunk reads and writes its
 * U again; on the small maps where such layers live (64→128 channels and up, 8x8 to 16x16) that
 * traffic took longer than the products (5×5 stride-2 64→128 at 16×16 through space to depth: U is
 * 4.5 MiB, batch 8 spent 4.9 ms where the forward pass takes 2.3). By points, the tiles are
 * transformed once into panels, then each point's GEMM writes its own slice of U once per panel.
 * A U that stays in L2 is cheap to revisit while the panels are not: at 1.1 MiB (5×5 stride-2
 * 32→64 at 32×32, 512 tiles) points were 17% slower.
 */
export function usesPointSplitFilterGrad(points: number, C: number, F: number): boolean {
  return pointSplitEnabled && points * C * Math.ceil(F / 8) * 8 * 4 > CORE_L2_BYTES;
}
let pointSplitEnabled = process.env.GLASSWING_POINT_SPLIT_DW !== '0';
/** For comparisons and tests: large-U Winograd filter gradients split by points (on) or by chunks of tiles (off). */
export function setPointSplitFilterGrad(on: boolean): void {
  pointSplitEnabled = on;
}
/** Transformed tiles per panel of the point-split filter gradient: panels of at most this many bytes. */
let pointSplitPanelBytes = 8 << 20;
/** For tests: smaller panels, so that small layers take several. */
export function setPointSplitPanelBytes(bytes: number): void {
  pointSplitPanelBytes = bytes;
}

/**
 * U[points][C][Fp] of a 6x6- or 8x8-tile filter gradient, by points: per panel of tiles (as many as
 * fit pointSplitPanelBytes), the tiles are transformed on the threads, then the points' GEMMs run
 * on the threads, the first panel overwriting U and the others adding to it. Each U value is one sum
 * over the tiles in order, the same on any number of threads.
 */
function winograd6FilterGradByPoints(rt: SimdRuntime, g: Geom, F: number, px: number, pdy: number, m: number, tiles: number, points: number): number {
  const { C, KH: r } = g;
  const Fp = Math.ceil(F / 8) * 8;
  const TB = Math.max(4, Math.min(tiles, Math.floor(pointSplitPanelBytes / (4 * points * (C + Fp)))));
  // Panels with 16 floats of slack per point (as winograd6FilterGradTiles lays them out), 16-byte aligned.
  const align = (a: number): number => (a + 15) & ~15;
  const pa = align(rt.alloc(points * (TB * C + 16) + 4)), pb = align(rt.alloc(points * (TB * Fp + 16) + 4));
  const u = rt.alloc(points * C * Fp);
  const works = Array.from({ length: rt.threads }, () => rt.alloc(2 * points * 4 + 4));
  const pointSplit = splitAligned(points, Math.min(points, 4 * rt.threads), 1);
  for (let b0 = 0; b0 < tiles; b0 += TB) {
    const nt = Math.min(TB, tiles - b0);
    const tileSplit = splitAligned(nt, Math.min(nt, 4 * rt.threads), 1);
    rt.runTasks('winograd6FilterGradTiles', tileSplit.slice(1).map((t1, i) =>
      [px, g.H, g.W, C, g.pt, g.pl, pdy, g.OH, g.OW, F, b0 + tileSplit[i]!, b0 + t1, b0, TB, m, r, pa, pb]), (t) => [align(works[t]!)]);
    rt.runTasks('winograd6FilterGradPoints', pointSplit.slice(1).map((x1, i) => [pa, pb, TB, nt, C, F, pointSplit[i]!, x1, b0 > 0 ? 1 : 0, u]));
  }
  return u;
}

/**
 * The summed U[weightPoints][C][Fp] of a 6x6-tile or stride-2 Winograd filter gradient: `job` run
 * over fixed chunks of the tiles, each chunk adding into its own U, the chunks' U added in chunk
 * order (see reduction-chunks.ts). `points` transformed points per tile (36, 81 or 49) and
 * `extraFloats` size the per-thread block scratch; `weightPoints` the weights' distinct points (36,
 * or 25 for the stride-2 kernel's 3x3 tiles); `jobArgs` are the job's arguments after the tile
 * block size.
 */
function winogradFilterGradSums(rt: SimdRuntime, g: Geom, F: number, px: number, pdy: number, tiles: number, points: number, weightPoints: number, extraFloats: number,
  job: 'winograd6FilterGradJob' | 'winogradS2FilterGradJob', jobArgs: number[]): number {
  const { C } = g;
  const Fp = Math.ceil(F / 8) * 8;
  // Tiles per block (one task): transformed inputs and output gradients in at most 768 KiB (L2).
  // Every block adds its products into the chunk's U (36·C·Fp floats at most): past 1 MiB (64→128
  // channels and up) U no longer stays in a core's L2 and that traffic, once per block, outweighs
  // the block's transformed data spilling from L2: such blocks take at least 32 tiles (3x3 128→128
  // at 8x8, batch 32: 8.3-9.5 → 7.4-7.6 ms; 512→512 at 4x4: 86-92 → 70; 256→256 at 8x8: 10%).
  const uSize = weightPoints * C * Fp;
  const minTB = 4 * uSize > 1024 * 1024 ? 32 : 16;
  const TB = Math.max(minTB, Math.min(128, Math.floor((768 * 1024) / (4 * points * (C + Fp))) & ~3));
  const chunks = filterGradChunks(tiles, TB, uSize);
  const us = chunks.slice(1).map(() => rt.alloc(uSize));
  for (const u of us) rt.zero(u, uSize);
  const works = Array.from({ length: rt.threads }, () => rt.alloc(points * TB * (C + Fp) + extraFloats));
  // Blocks of equal size within a chunk (a 64-tile chunk with TB 20: 4 of 16, not 20, 20, 20 and 4).
  const blockOf = (len: number): number => Math.ceil(len / Math.ceil(len / TB) / 4) * 4;
  const tasks = us.map((u, k) => {
    const t0 = chunks[k]!, t1 = chunks[k + 1]!, tb = blockOf(t1 - t0);
    return [px, g.H, g.W, C, g.pt, g.pl, pdy, g.OH, g.OW, F, t0, t1, tb, ...jobArgs, u];
  });
  rt.runTasks(job, tasks, (t) => [works[t]!]);
  addChunksInto(rt, us[0]!, us.slice(1), uSize);
  return us[0]!;
}

/**
 * Boundaries of the 6x6 filter gradient's chunks of tiles (each with its own U, see
 * reduction-chunks.ts). Every chunk zeroes and adds a whole U: 4 blocks of TB tiles per chunk keep
 * that small beside the chunk's GEMMs where U is large and the map small (3x3 128→128 at 8x8:
 * 10.5→7.9 ms). Fewer where that would leave under 4 chunks to share among the threads, as long as
 * a chunk keeps 64 tiles (16 channels at 16x16, batch 32: one chunk, one thread, 1.43 ms; 4 chunks:
 * 0.84 ms; batch 8 of 16x16x64 or 32x32x32: 15-28% faster). Then an even count of chunks of equal
 * size (whole 4 tiles): chunks of whole blocks left the threads unequal shares (128 tiles in chunks
 * of 80 and 48: one thread idle 40% of the time; 3x3 64→128 at 8x8, batch 32: 5.0-6.0 → 3.9 ms).
 * The chunks depend on the shape alone.
 */
function filterGradChunks(tiles: number, TB: number, uSize: number): number[] {
  let b = 4;
  while (b > 1 && Math.ceil(tiles / (b * TB)) < 4 && (b / 2) * TB >= 64) b /= 2;
  let count = Math.ceil(tiles / (b * TB));
  if (count % 2 === 1 && count > 1) count++;
  return reductionChunks(tiles, Math.ceil(tiles / count / 4) * 4, uSize);
}

/**
 * Tiles per block (one task) of a Winograd forward pass or input gradient, whose transformed weights
 * U take uBytes and each tile's transformed inputs and products tileBytes. `l2Tiles` (a multiple of
 * 4, 4 to 64) keeps a block's own data in 512 KiB of L2. Every block multiplies by the whole of U,
 * so once U is past 1 MiB (it no longer stays in a core's L2 beside a block) each block reads it
 * from L3 again, and small blocks make that traffic outweigh the products: 5×5 stride-2 64→128
 * at 16×16 (U 4.5 MiB after space to depth) took blocks of 8 tiles, 16 readings of U per pass. Such layers take blocks of about 32 tiles, in a count of tasks that is a
 * multiple of the threads and at least two per thread (equal shares; blocks of 48, or 24 of 128
 * tiles, left one thread idle part of the time). Batch 32, forward / input gradient, ms, before →
 * after, two runs: that 5×5 layer 6.3-6.5 → 5.4-5.5 / 6.0-6.5 → 5.6; 3×3 128→128 at 12×12 5.9-6.3
 * → 5.1-5.3 / 5.9-6.3 → 5.4; 256→256 at 8×8 11.5-14.4 → 9.7-10.1 / 12.4-14.1 → 10.1-10.4; 512→512
 * at 4×4 25.4-27.7 → 23.4-24.1 / 30.4 → 27.7-28.5; layers with a smaller U unchanged. Blocks of 64
 * measured the same as 32.
 */
export function tilesPerBlock(threads: number, tiles: number, uBytes: number, tileBytes: number): number {
  const l2Tiles = Math.max(4, Math.min(64, Math.floor((512 * 1024) / tileBytes) & ~3));
  if (!largeUBlocks || uBytes <= 1 << 20) return l2Tiles;
  const tasks = Math.ceil(Math.max(2 * threads, Math.ceil(tiles / 32)) / threads) * threads;
  return Math.max(l2Tiles, Math.ceil(tiles / tasks / 4) * 4);
}
let largeUBlocks = process.env.GLASSWING_LARGE_U_BLOCKS !== '0';
/** For comparisons: blocks of about 32 tiles where U is past 1 MiB (on), or blocks as L2 allows (off). */
export function setLargeUBlocks(on: boolean): void {
  largeUBlocks = on;
}

function winogradInto(rt: SimdRuntime, g: Geom, F: number, px: number, pw: number, pb: number, act: FusedAct, out: number): void {
  const { N, C, OH, OW } = g;
  const Cp = (C + 3) & ~3, Fp = Math.ceil(F / 8) * 8;
  const u = rt.alloc(16 * C * Fp);
  rt.exports.winogradFilter(pw, C, F, u);
  const tiles = N * Math.ceil(OH / 2) * Math.ceil(OW / 2);
  const TB = tilesPerBlock(rt.threads, tiles, 64 * C * Fp, 64 * (Cp + Fp));
  const workFloats = 16 * TB * (Cp + Fp) + 832;
  const works = Array.from({ length: rt.threads }, () => rt.alloc(workFloats));
  const tasks: number[][] = [];
  for (let t0 = 0; t0 < tiles; t0 += TB) tasks.push([px, g.H, g.W, C, g.pt, g.pl, OH, OW, u, F, pb, ACT_CODE[act], out, t0, Math.min(tiles, t0 + TB), TB]);
  rt.runTasks('winogradConv', tasks, (t) => [works[t]!]);
}

/**
 * Runs a per-filter Winograd weight transform (winograd6Filter over the padded filter count,
 * winograd6FilterGradFinish over the real one) in groups of 4 filters: on the threads once there
 * are C·F ≥ 64·64 pairs (on the calling thread alone, 128→128's transform took 1.1 ms of a 6 ms
 * convolution), else here in one call. `args(f0, f1)` gives the arguments before the thread's
 * scratch of `workFloats`.
 */
function byFilterGroups(rt: SimdRuntime, C: number, F: number, fn: 'winograd6Filter' | 'winograd6FilterGradFinish' | 'winogradS2Filter' | 'winogradS2FilterGradFinish', args: (f0: number, f1: number) => number[], workFloats: number): void {
  const groups = Math.ceil(F / 4);
  if (C * F < 4096 || rt.threads === 1) {
    (rt.exports[fn] as (...a: number[]) => void)(...args(0, 4 * groups), rt.alloc(workFloats));
    return;
  }
  // Whole 8-filter panels per task (winograd6Filter writes a panel's two halves together).
  const per = 2 * Math.ceil(groups / (6 * rt.threads));
  const tasks: number[][] = [];
  for (let g0 = 0; g0 < groups; g0 += per) tasks.push(args(4 * g0, 4 * Math.min(groups, g0 + per)));
  const works = Array.from({ length: rt.threads }, () => rt.alloc(workFloats));
  rt.runTasks(fn, tasks, (t) => [works[t]!]);
}

/**
 * The output tile of the 6x6-tile Winograd path for this convolution, or 0: F(2x2, 7x7) for 7x7
 * (8x8 tiles, see winograd7Pays); for 5x5 F(4x4, 5x5) (8x8 tiles: 64 products per 16 outputs)
 * where it multiplies clearly less than F(2x2, 5x5) (36 per 4; the smallest maps), else that;
 * F(4x4, 3x3) for 3x3 where it multiplies clearly less than F(2x2, 3x3) counting the partial tiles
 * at the edges (small maps: 6x6 outputs take 2x2 tiles of 4 outputs, 44% of them wasted), and
 * F(6x6, 3x3) (8x8 input tiles, same kernels) where that multiplies clearly less again: 6x6 outputs
 * take one tile, 64 products where 4x4 or 2x2 tiles take 144. Stride 1, undilated, channels a
 * multiple of 4 (vector loads), at least 8 channels and filters.
 */
export function winograd6Tile(g: Geom, F: number): 0 | 2 | 4 | 6 {
  if (g.KH === 7 && g.KW === 7) return winograd7Pays(g, F) ? 2 : 0;
  const m = tile6x6(g, F);
  // 5x5: F(4x4, 5x5) unless F(2x2, 5x5)'s 6x6 tiles multiply about as little (1x1, 2x2 outputs)
  // or the batch has too few tiles to pay for the 64-point weight transform.
  if (m === 2) {
    const tiles8 = Math.ceil(g.OH / 4) * Math.ceil(g.OW / 4);
    return winograd8Enabled && g.N * tiles8 >= WINO8_MIN_TILES && 64 * tiles8 <= WINO8_MAX_PRODUCTS * 36 * Math.ceil(g.OH / 2) * Math.ceil(g.OW / 2) ? 4 : 2;
  }
  if (!winograd8Enabled || !winograd6Enabled || !usesWinograd(g, F) || g.C % 4 !== 0) return m;
  const m6 = 64 * Math.ceil(g.OH / 6) * Math.ceil(g.OW / 6);
  const best = Math.min(36 * Math.ceil(g.OH / 4) * Math.ceil(g.OW / 4), 16 * Math.ceil(g.OH / 2) * Math.ceil(g.OW / 2));
  return m6 <= WINO8_MAX_PRODUCTS * best ? 6 : m;
}
/** 8x8 tiles where they take at most this share of the products of the best smaller tile. */
const WINO8_MAX_PRODUCTS = 0.8;
/**
 * F(4x4, 5x5) and F(2x2, 7x7) on fewer tiles than this (a few images, small maps, wide layers)
 * leave too few products to pay for transforming the weights (64·C·F values). Batch 1-8 of 8x8
 * maps, 256→256, one process, alternating (forward / input gradient): F(4x4, 5x5) against F(2x2,
 * 5x5) at 4, 8, 16, 32 tiles 0.67/0.71, 0.81/0.91, 0.93/0.92, 1.14/1.09×; F(2x2, 7x7) against
 * implicit GEMM at 16, 32, 64 tiles 0.72/0.77, 0.99/1.00, 1.58/1.31× (512→512 at 4x4, 8 tiles:
 * 0.45/0.67×).
 */
const WINO8_MIN_TILES = 32;
let winograd8Enabled = process.env.GLASSWING_WINOGRAD8 !== '0';
/** For comparisons and tests: 8x8 tiles for 3x3 and 5x5, F(6x6, 3x3) and F(4x4, 5x5), on (where they multiply least) or off. */
export function setWinograd8(on: boolean): void {
  winograd8Enabled = on;
}

/**
 * The output tile of a filter gradient through the 6x6- or 8x8-tile Winograd path, or 0: as the
 * forward pass. 8x8 tiles against the previous path (4x4 tiles or F(2x2, 3x3)), batch 32, one
 * process, alternating, two runs: 64→64 at 10x10 1.07/1.14×, 12x12 1.06/1.04×, 128→128 at 12x12
 * 1.16×, at 6x6 0.97/1.07×, 256→256 at 6x6 1.13/1.13×, 128→128 at 5x5 1.15/0.98×.
 */
export function winograd6FilterGradTile(g: Geom, F: number): 0 | 2 | 4 | 6 {
  return winograd8FilterGrad ? winograd6Tile(g, F) : tile6x6(g, F);
}
let winograd8FilterGrad = process.env.GLASSWING_WINOGRAD8_DW !== '0';
/** For comparisons: filter gradients through 8x8 tiles where the forward pass takes them (on) or not. */
export function setWinograd8FilterGrad(on: boolean): void {
  winograd8FilterGrad = on;
}

/**
 * Whether a 7x7 convolution goes through F(2x2, 7x7): 8x8 input tiles over the points of F(6x6,
 * 3x3), 64 products per 2x2 outputs where the direct convolution (implicit GEMM) takes 196. Stride
 * 1, undilated, channels a multiple of 4 (at least 8), enough filters, and a map that the 2x2 tiles
 * cover without making the products more than WINO7_MAX_PRODUCTS of the direct ones (a 1x1 output
 * takes 64 products for 49), in a batch of at least WINO8_MIN_TILES tiles. Against implicit GEMM,
 * batch 32, one process, alternating (forward / input gradient / filter gradient): 32→64 at 32x32
 * 2.21/1.98/2.08×, 64→64 at 16x16 1.80/1.88/1.80×, 128→128 at 4x4 1.56/1.53/1.21×, at 2x2
 * 1.59/1.46/1.03×, at 3x3 (0.58 of the products) 1.00/0.99/1.20×; 8→16 at 32x32 against the
 * few-channel kernel 1.12/1.22/1.34×.
 */
function winograd7Pays(g: Geom, F: number): boolean {
  if (!winograd7Enabled || !winograd6Enabled || g.sh !== 1 || g.sw !== 1 || g.dh !== 1 || g.dw !== 1 || g.C % 4 !== 0 || g.C < 8 || F < WINO_MIN_F) return false;
  const tiles = Math.ceil(g.OH / 2) * Math.ceil(g.OW / 2);
  return g.N * tiles >= WINO8_MIN_TILES && 64 * tiles <= WINO7_MAX_PRODUCTS * 49 * g.OH * g.OW;
}
const WINO7_MAX_PRODUCTS = 0.6;
let winograd7Enabled = process.env.GLASSWING_WINOGRAD7 !== '0';
/** For comparisons and tests: F(2x2, 7x7) on or off (implicit GEMM). */
export function setWinograd7(on: boolean): void {
  winograd7Enabled = on;
}

/** winograd6Tile's choice among 6x6 input tiles only (F(2x2, 5x5), F(4x4, 3x3)), or 0. */
export function tile6x6(g: Geom, F: number): 0 | 2 | 4 {
  if (!winograd6Enabled || g.sh !== 1 || g.sw !== 1 || g.dh !== 1 || g.dw !== 1 || g.C % 4 !== 0 || g.C < 8 || F < WINO_MIN_F) return 0;
  if (g.KH === 5 && g.KW === 5) return 2;
  if (g.KH !== 3 || g.KW !== 3 || !winogradEnabled || !enoughTiles3x3(g, F)) return 0;
  const m4 = 36 * Math.ceil(g.OH / 4) * Math.ceil(g.OW / 4), m2 = 16 * Math.ceil(g.OH / 2) * Math.ceil(g.OW / 2);
  return m4 <= 0.75 * m2 ? 4 : 0;
}
let winograd6Enabled = process.env.GLASSWING_WINOGRAD6 !== '0';
/** For comparisons and tests: 6x6-tile Winograd on or off (off: F(2x2, 3x3) and implicit GEMM). */
export function setWinograd6(on: boolean): void {
  winograd6Enabled = on;
}

/**
 * The output tile of the polyphase Winograd kernel (winogradS2Conv) for a 3x3 stride-2
 * convolution's forward pass, or 0 (implicit GEMM): 4x4 tiles take 81 products per 16 outputs where
 * the direct convolution takes 144, 3x3 tiles 49 per 9 where it takes 81. Undilated, channels a
 * multiple of 4 (at least 8), enough filters, and the tile that multiplies least counting the
 * partial tiles at the edges, if that keeps the products at most 2/3 of the direct convolution's:
 * 4x4 for 8x8, 12x12, 16x16 and 15x15 outputs, 3x3 for 3x3, 6x6 and 9x9; neither for 5x5, 7x7,
 * 11x11 or 13x13 (measured no faster). 3x3 tiles against the GEMM, in one process, batch 32: 6x6
 * and 9x9 outputs of 64→128 and 128→128 channels 1.15-1.59× on each pass; 3x3 outputs of 128→256
 * 1.12× (forward, input gradient) and 0.95× (filter gradient); small layers (32→64 at 6x6, 64→64 at
 * 3x3) 0.85-1.19×, a few hundredths of a millisecond either way.
 */
export function winogradS2Tile(g: Geom, F: number): S2Tile {
  if (!winogradS2Base(g) || g.C % 4 !== 0 || g.C < WINO_MIN_C || F < WINO_MIN_F) return 0;
  return leastS2Tile(g, (m) => Math.ceil(g.OH / m) * Math.ceil(g.OW / m), 6 * g.OH * g.OW);
}

/**
 * The tile of its input gradient (mode 1: 2m x 2m dx blocks from (m+1) x (m+1) dy windows, 81 or
 * 49 products per block where the direct path's GEMM takes 144 or 81), or 0: dy's F channels a
 * multiple of 4 (at least 8), enough input channels, and dx maps that the blocks cover with little
 * waste (8x8 blocks for 16x16 and 24x24 maps; 6x6 for 12x12).
 */
export function winogradS2InputGradTile(g: Geom, F: number): S2Tile {
  if (!winogradS2Base(g) || F % 4 !== 0 || F < WINO_MIN_C || g.C < WINO_MIN_F) return 0;
  return leastS2Tile(g, (m) => Math.ceil((g.H + g.pt) / (2 * m)) * Math.ceil((g.W + g.pl) / (2 * m)), 1.6 * g.H * g.W);
}

/** The tile of its filter gradient (winogradS2FilterGradJob): as the forward pass's. */
export function winogradS2FilterGradTile(g: Geom, F: number): S2Tile {
  return winogradS2Tile(g, F);
}

export type S2Tile = 0 | 3 | 4;
/**
 * Of the output tiles m (4, then 3), the one whose products (s2Points(m).points per tile over
 * `tilesOf(m)` tiles per image) are fewest and at most `limit` (per channel and filter), or 0.
 */
function leastS2Tile(g: Geom, tilesOf: (m: 3 | 4) => number, limit: number): S2Tile {
  let best: S2Tile = 0, least = Infinity;
  for (const m of s2Tile3Enabled ? ([4, 3] as const) : ([4] as const)) {
    const tiles = tilesOf(m), products = s2Points(m).points * tiles;
    if (products <= limit && products < least && g.N * tiles >= S2_MIN_TILES) [best, least] = [m, products];
  }
  return best;
}
/** The stride-2 kernel's transformed points per m x m tile ((2m+1)²) and the weights' distinct ones ((m+2)²: an axis's odd points all meet tap 1). */
const s2Points = (m: 3 | 4): { points: number; weightPoints: number } => ({ points: (2 * m + 1) ** 2, weightPoints: (m + 2) ** 2 });
/**
 * Fewer tiles than this (a few small images) leave too few products to pay for transforming the
 * weights (36·C·F values): 32 tiles of 3x3 128→256 at 4x4 outputs were 1.2× faster than the GEMM.
 */
const S2_MIN_TILES = 32;
let s2Tile3Enabled = process.env.GLASSWING_S2_TILE3 !== '0';
/** For comparisons and tests: the stride-2 kernel's 3x3 output tiles on or off (off: 4x4 tiles or implicit GEMM). */
export function setS2Tile3(on: boolean): void {
  s2Tile3Enabled = on;
}

const winogradS2Base = (g: Geom): boolean => winogradS2Enabled && winogradEnabled && g.KH === 3 && g.KW === 3 && g.sh === 2 && g.sw === 2 && g.dh === 1 && g.dw === 1;
let winogradS2Enabled = process.env.GLASSWING_WINOGRAD_S2 !== '0';
/** For comparisons and tests: the stride-2 Winograd path on or off (off: implicit GEMM). */
export function setWinogradS2(on: boolean): void {
  winogradS2Enabled = on;
}

/**
 * Whether a 4×4 or 5×5 stride-2 convolution goes through its space-to-depth form
 * (conv-space-to-depth.ts): where that 3×3 convolution over 4C channels takes the Winograd path
 * with 4×4 output tiles, or for 5×5 kernels also 6×6 ones (6×6 outputs: 64→128 from 12×12 1.84×
 * forward, 1.81× input gradient). 5×5 kernels multiply 2.8× less so; 4×4 ones 1.8× less, which
 * first layers do not recoup (3→32 at 64×64: 0.71× the implicit GEMM's speed forward), so those
 * need 16 channels. Against the implicit GEMM, batch 32, in one process, alternating (ms medians
 * of 41 calls, forward / input gradient / filter gradient): 4×4 32→64 at 32×32 1.24/1.35/1.20×,
 * at 24×24 1.19/1.27/0.99×, 'valid' at 31×31 0.97/1.06/0.99×, 64→128 at 16×16 1.15/1.42/0.94×;
 * 5×5 32→64 'valid' at 30×30 1.29/1.44/1.31×. The gradients: usesSpaceToDepthInputGrad and
 * usesSpaceToDepthFilterGrad.
 */
export function usesSpaceToDepth(g: Geom, F: number): boolean {
  if (!spaceToDepthEnabled || !spaceToDepthShape(g)) return false;
  const s = spaceToDepthGeom(g);
  // 4×4 kernels at 6×6 outputs through 8×8 tiles: 0.84-1.02× forward (32→64, 64→128), not taken.
  if (g.KH === 4 || g.KW === 4) return g.C >= 16 && tile6x6(s, F) === 4;
  return winograd6Tile(s, F) >= 4;
}

/**
 * Whether its input gradient does too: where the forward pass does with 4×4 tiles, or where the
 * gradient's own convolution (out to the space-to-depth image's size) takes 8×8 tiles. 5×5 'valid'
 * at 5×5 outputs (13×13 inputs) would convolve out to 7×7 in 4×4 tiles: 0.74× the GEMM's speed.
 */
export function usesSpaceToDepthInputGrad(g: Geom, F: number): boolean {
  if (!usesSpaceToDepth(g, F)) return false;
  const s = spaceToDepthGeom(g);
  return tile6x6(s, F) === 4 || winograd6Tile(inputGradGeom(s, F), s.C) === 6;
}

/**
 * Whether its filter gradient does too, through 4×4 tiles: 5×5 kernels always; 4×4 from 16×16
 * outputs, where the Winograd filter gradient's chunked sums are amortised (smaller maps:
 * 0.94-0.99× the GEMM's speed, above). Not through 8×8 tiles: 5×5 64→128 at 6×6 outputs (256
 * channels after space to depth, 8 MiB of sums per chunk) 0.82× the GEMM's speed.
 */
export function usesSpaceToDepthFilterGrad(g: Geom, F: number): boolean {
  return usesSpaceToDepth(g, F) && tile6x6(spaceToDepthGeom(g), F) === 4 && ((g.KH === 5 && g.KW === 5) || g.OH * g.OW >= 256);
}
let spaceToDepthEnabled = process.env.GLASSWING_SPACE_TO_DEPTH !== '0';
/** For comparisons and tests: 4×4 and 5×5 stride-2 convolutions through space to depth (on) or implicit GEMM (off). */
export function setSpaceToDepth(on: boolean): void {
  spaceToDepthEnabled = on;
}

/**
 * Runs winogradS2Conv over every tile: mode 0 y = act(conv(x, w) + bias) (src x, dst y), mode 1
 * dx of that convolution (src dy, dst dx, no bias). g is the forward convolution's geometry.
 */
function winogradS2Into(rt: SimdRuntime, g: Geom, F: number, mode: 0 | 1, m: 3 | 4, src: number, pw: number, pb: number, act: FusedAct, dst: number): void {
  const { N, C } = g;
  const K = mode === 0 ? C : F, Nout = mode === 0 ? F : C;
  const Np = Math.ceil(Nout / 8) * 8;
  const { points, weightPoints } = s2Points(m);
  const u = rt.alloc(weightPoints * K * Np);
  byFilterGroups(rt, K, Np, 'winogradS2Filter', (n0, n1) => [pw, C, F, u, mode, n0, n1, m], 528);
  const [SH, SW, DH, DW] = mode === 0 ? [g.H, g.W, g.OH, g.OW] : [g.OH, g.OW, g.H, g.W];
  const tiles = N * (mode === 0 ? Math.ceil(DH / m) * Math.ceil(DW / m) : Math.ceil((DH + g.pt) / (2 * m)) * Math.ceil((DW + g.pl) / (2 * m)));
  const TB = tilesPerBlock(rt.threads, tiles, 4 * weightPoints * K * Np, 4 * points * (K + Np));
  const works = Array.from({ length: rt.threads }, () => rt.alloc(points * TB * (K + Np) + 4800));
  const tasks: number[][] = [];
  for (let t0 = 0; t0 < tiles; t0 += TB) tasks.push([src, SH, SW, K, g.pt, g.pl, DH, DW, u, Nout, pb, ACT_CODE[act], dst, t0, Math.min(tiles, t0 + TB), TB, mode, m]);
  rt.runTasks('winogradS2Conv', tasks, (t) => [works[t]!]);
}

/** The filter gradient of a 3x3 stride-2 convolution through the polyphase points, summed over fixed chunks of tiles (as winograd6FilterGrad). */
function winogradS2FilterGrad(rt: SimdRuntime, g: Geom, F: number, m: 3 | 4, px: number, pdy: number): Float32Array {
  const { N, C, OH, OW } = g;
  const tiles = N * Math.ceil(OH / m) * Math.ceil(OW / m);
  const { points, weightPoints } = s2Points(m);
  const u = winogradFilterGradSums(rt, g, F, px, pdy, tiles, points, weightPoints, 3600, 'winogradS2FilterGradJob', [m]);
  const dw = rt.result(9 * C * F);
  byFilterGroups(rt, C, F, 'winogradS2FilterGradFinish', (f0, f1) => [u, C, F, dw, f0, f1, m], 128);
  return rt.view(dw, 9 * C * F);
}

function winograd6Into(rt: SimdRuntime, g: Geom, F: number, px: number, pw: number, pb: number, act: FusedAct, out: number, m: number): void {
  const { N, C, OH, OW } = g;
  const Fp = Math.ceil(F / 8) * 8;
  const points = (m + g.KH - 1) ** 2; // 8x8 or 6x6 input tiles
  const u = rt.alloc(points * C * Fp);
  byFilterGroups(rt, C, Fp, 'winograd6Filter', (f0, f1) => [pw, g.KH, m, C, F, u, f0, f1], 960);
  const tiles = N * Math.ceil(OH / m) * Math.ceil(OW / m);
  const TB = tilesPerBlock(rt.threads, tiles, 4 * points * C * Fp, 4 * points * (C + Fp));
  const works = Array.from({ length: rt.threads }, () => rt.alloc(points * (TB * (C + Fp) + 64) + 64));
  const tasks: number[][] = [];
  for (let t0 = 0; t0 < tiles; t0 += TB) tasks.push([px, g.H, g.W, C, g.pt, g.pl, OH, OW, u, F, pb, ACT_CODE[act], out, t0, Math.min(tiles, t0 + TB), TB, m, g.KH]);
  rt.runTasks('winograd6Conv', tasks, (t) => [works[t]!]);
}

/** y = act(conv(x, w) + bias) for x at arena address px, w at pw, bias at pb (0: none), into out. */
function convInto(rt: SimdRuntime, g: Geom, F: number, px: number, pw: number, pb: number, act: FusedAct, out: number): void {
  if (usesSpaceToDepth(g, F)) return convInto(rt, spaceToDepthGeom(g), F, spaceToDepthImage(rt, g, px), spaceToDepthFilter(rt, g, F, pw), pb, act, out);
  // Not where the few-channel kernel takes the layer (5-8 channels, up to 16 filters): it computes
  // the direct products, and LeNet-5's training through F(4x4, 5x5) no longer followed the stock
  // kernels' within lenet-parity.test's tolerance (its relu masks moved with Winograd's rounding).
  const gp = usesSmallCForward(g, F) ? null : channelPadding(g, (h) => forwardWinograd(h, F));
  if (gp) return convInto(rt, gp, F, channelPaddedImage(rt, g, gp, px), channelPaddedFilter(rt, g, gp, F, pw), pb, act, out);
  const m = winograd6Tile(g, F);
  if (m) return winograd6Into(rt, g, F, px, pw, pb, act, out, m);
  if (usesWinograd(g, F)) return winogradInto(rt, g, F, px, pw, pb, act, out);
  const s2 = winogradS2Tile(g, F);
  if (s2) return winogradS2Into(rt, g, F, 0, s2, px, pw, pb, act, out);
  if (usesSmallCForward(g, F)) return convSmallCInto(rt, g, F, px, pw, pb, act, out);
  const K = g.KH * g.KW * g.C;
  const M = g.N * g.OH * g.OW;
  const pointwise = g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 && g.OH === g.H && g.OW === g.W;
  const A = pointwise ? { addr: px, rs: K, cs: 1 } : { image: px, geometry: putGeometry(rt, g), transposed: false };
  gemm(rt, M, F, K, A, { addr: pw, rs: F, cs: 1 }, out, F, { bias: pb || undefined, activation: act });
}

/**
 * Whether Glasswing's forward convolution should replace the backend's own: always on cpu; on wasm
 * (whose XNNPACK convolution is good but single-threaded) for Winograd-eligible convolutions and for
 * others large enough that threads pay off. `operandsInPlace`: the wasm backend's tensors are in the
 * kernels' memory (nothing to copy in or out).
 */
export function preferFastConv(ci: ConvInfo, backend: 'cpu' | 'wasm', operandsInPlace = false): boolean {
  if (backend === 'cpu') return true;
  if (wasmConvChoice !== 'auto') return wasmConvChoice === 'glasswing';
  const g = geomOf(ci);
  if (usesWinograd(g, ci.outChannels) || winograd6Tile(g, ci.outChannels) || winogradS2Tile(g, ci.outChannels) || usesSpaceToDepth(g, ci.outChannels)) return true;
  // One-channel inputs at any size from 2 threads: as fast as XNNPACK from batch 8 of 28×28 LeNet
  // inputs, 1.7-1.9× faster from batch 32 (a single image: 0.10 against 0.08 ms).
  if (g.C === 1 && usesSmallCForward(g, ci.outChannels) && simd().threads > 1) return true;
  const macs = ci.batchSize * ci.outHeight * ci.outWidth * ci.outChannels * ci.filterHeight * ci.filterWidth * ci.inChannels;
  // With operands in place (the backend's heap is the kernels' memory) nothing is copied, and the
  // threads win from that size on: against XNNPACK, batch 32, bias + relu, 1.4-2.1× on MobileNetV2's
  // pointwise convolutions (16-192 channels), 1.2× on 3×3 RGB first layers with 32 filters (stride 1
  // or 2, also a single 224×224 image), 1.34× with 16 filters (the few-channel kernel; from batch 4
  // of 32×32 images it wins, a single one is 28% slower than XNNPACK).
  if (operandsInPlace) return simd().threads > 1 && macs >= WASM_CONV_MIN_MACS;
  // Otherwise only where threads pay for copying the operands into the shared arena and the result
  // back: enough work per output value. Measured on 2 threads against XNNPACK's one, bias + relu,
  // batch 32-64: taps × channels of 27 (3×3×3 first layers) are a tie; from 72 (3×3×8, 5×5×3,
  // LeNet's 5×5×6) Glasswing is 1.3-1.9× faster. Pointwise convolutions over few channels
  // have large outputs for little work: XNNPACK's below 64 channels.
  const pointwise = ci.filterHeight === 1 && ci.filterWidth === 1;
  const reduction = ci.filterHeight * ci.filterWidth * ci.inChannels;
  return simd().threads > 1 && macs >= WASM_CONV_MIN_MACS && (pointwise ? ci.inChannels >= 64 : reduction >= 48);
}
const WASM_CONV_MIN_MACS = 4e6;
/** For measurements: always XNNPACK or always Glasswing for wasm forward convolutions. */
let wasmConvChoice: 'auto' | 'xnnpack' | 'glasswing' = (['xnnpack', 'glasswing'] as const).find((v) => v === process.env.GLASSWING_WASM_CONV) ?? 'auto';
export function setWasmConvChoice(choice: 'auto' | 'xnnpack' | 'glasswing'): void {
  wasmConvChoice = choice;
}

/** y = act(conv(x, w) + bias), NHWC x, [KH, KW, C, F] w. */
export function conv2dForward(ci: ConvInfo, x: Float32Array, w: Float32Array, bias: Float32Array | null, act: FusedAct): Float32Array {
  const rt = simd();
  rt.reset();
  const { M } = geometry(ci);
  const F = ci.outChannels;
  const px = rt.put(x);
  const pw = rt.put(w);
  const pb = bias ? rt.put(bias) : 0;
  const out = rt.result(M * F);
  convInto(rt, geomOf(ci), F, px, pw, pb, act, out);
  return rt.view(out, M * F);
}

/** dx = conv2d's input gradient for dy [N, OH, OW, F] and w [KH, KW, C, F]. */
export function conv2dBackpropInput(ci: ConvInfo, dy: Float32Array, w: Float32Array): Float32Array {
  const rt = simd();
  rt.reset();
  const { pointwise } = geometry(ci);
  const { inChannels: C, outChannels: F } = ci;
  const size = ci.batchSize * ci.inHeight * ci.inWidth * C;
  const pdy = rt.put(dy);
  const g = geomOf(ci);
  if (!padsWithinKernel(g)) return inputGradByCol2im(rt, ci, pdy, w, size);
  const gp = channelPadding(g, (h) => inputGradWinograd(h, F));
  if (gp) {
    const dxp = rt.alloc(g.N * g.H * g.W * gp.C);
    stride1InputGradInto(rt, gp, F, pdy, channelPaddedFilter(rt, g, gp, F, rt.put(w)), dxp);
    const dx = rt.result(size);
    channelUnpaddedImage(rt, g, gp, dxp, dx);
    return rt.view(dx, size);
  }
  if (ci.strideHeight === 1 && ci.strideWidth === 1 && !pointwise && stride1InputGradPays(g, F)) {
    const dx = rt.result(size);
    stride1InputGradInto(rt, g, F, pdy, rt.put(w), dx);
    return rt.view(dx, size);
  }
  if (usesSpaceToDepthInputGrad(g, F)) {
    const s = spaceToDepthGeom(g);
    const ds = rt.alloc(s.N * s.H * s.W * s.C);
    stride1InputGradInto(rt, s, F, pdy, spaceToDepthFilter(rt, g, F, rt.put(w)), ds);
    const dx = rt.result(size);
    spaceToDepthInto(rt, g, dx, ds, 1);
    return rt.view(dx, size);
  }
  const s2 = winogradS2InputGradTile(g, F);
  if (s2) {
    const dx = rt.result(size);
    winogradS2Into(rt, g, F, 1, s2, pdy, rt.put(w), 0, 'linear', dx);
    return rt.view(dx, size);
  }
  return inputGradByCol2im(rt, ci, pdy, w, size);
}

/**
 * Whether explicit padding stays within the kernel's extent on top and left ('same' always does).
 * The input gradient as a convolution of dy pads dy by the rest of that extent, which would be
 * negative past it (a 1x1 kernel padded by 1 reads before dy's first row): those layers take GEMM + col2im.
 */
function padsWithinKernel(g: Geom): boolean {
  return g.pt <= (g.KH - 1) * g.dh && g.pl <= (g.KW - 1) * g.dw;
}

/** dx through dcol = dy · wᵀ and col2im (any stride, padding and dilation); dy already at pdy. */
function inputGradByCol2im(rt: SimdRuntime, ci: ConvInfo, pdy: number, w: Float32Array, size: number): Float32Array {
  const { K, M, pointwise } = geometry(ci);
  const { filterHeight: KH, filterWidth: KW, inChannels: C, outChannels: F } = ci;
  const pw = rt.put(w);
  const dcol = pointwise ? rt.result(size) : rt.alloc(M * K);
  // dcol[M, K] = dy[M, F] * w^T, w viewed as [K, F].
  gemm(rt, M, K, F, { addr: pdy, rs: F, cs: 1 }, { addr: pw, rs: 1, cs: F }, dcol, K);
  if (pointwise) return rt.view(dcol, size);
  const dx = rt.result(size); // col2im zeroes each image before adding into it
  const args = [ci.inHeight, ci.inWidth, C, KH, KW, ci.strideHeight, ci.strideWidth, ci.dilationHeight, ci.dilationWidth, ci.padInfo.top, ci.padInfo.left, ci.outHeight, ci.outWidth];
  // One task per image, so that no two threads add into the same dx element.
  parallelRange(rt, ci.batchSize, 1, (lo, hi) => ({ fn: 'col2im', args: [dcol, ...args, dx, lo, hi] }));
  return rt.view(dx, size);
}

/**
 * Whether the input gradient of stride-1 convolution g goes through the convolution of dy with the
 * filter turned 180° and its channel axes swapped, padded by the rest of the kernel's extent. That
 * convolution also multiplies the padding's zeros: where dx is much larger than dy ('valid'
 * convolutions) a GEMM and col2im does less work, unless the convolution of dy takes a Winograd
 * path that multiplies clearly less than the direct products (OH·OW·KH·KW per channel and filter).
 * On a small 'valid' map it does not: 5x5 64→128 from 9x9 to 5x5 outputs, dy convolved out to 9x9
 * in 2x2 tiles, takes 900 products for the direct 625. Batch 32, one process, alternating, the GEMM
 * against the convolution of dy: 5x5 64→128 at 5x5 outputs 1.94× (1.49× at batch 64), at 6x6
 * (products 1.0) 1.37-1.40×, at 8x8 (0.81) 0.90-1.0×, so 0.9; 3x3 128→128 at 2x2 2.65×.
 */
export function stride1InputGradPays(g: Geom, F: number): boolean {
  if ((g.H * g.W) / (g.OH * g.OW) < 1.3) return true;
  if (!usesWinograd(g, F) && !winograd6Tile(g, F)) return false;
  if (!inputGradProductRule) return true;
  const ig = inputGradGeom(g, F);
  const m = winograd6Tile(ig, g.C) || (usesWinograd(ig, g.C) ? 2 : 0);
  if (!m) return true; // as before the product rule: no measurement says the GEMM is faster there
  const products = Math.ceil(ig.OH / m) * Math.ceil(ig.OW / m) * (m + g.KH - 1) * (m + g.KW - 1);
  return products <= INPUT_GRAD_MAX_PRODUCTS * g.OH * g.OW * g.KH * g.KW;
}
const INPUT_GRAD_MAX_PRODUCTS = 0.9;
let inputGradProductRule = process.env.GLASSWING_INPUT_GRAD_PRODUCTS !== '0';
/** For comparisons and tests: the product count decides a 'valid' convolution's input gradient path (on), or eligibility alone (off). */
export function setInputGradProductRule(on: boolean): void {
  inputGradProductRule = on;
}

/** dx (at dx) of the stride-1 convolution g for dy at pdy and w [KH, KW, C, F] at pw: dy convolved with w turned 180°, its channel axes swapped. */
function stride1InputGradInto(rt: SimdRuntime, g: Geom, F: number, pdy: number, pw: number, dx: number): void {
  const pr = rt.alloc(g.KH * g.KW * g.C * F);
  rt.exports.rotateFilter(pw, g.KH, g.KW, g.C, F, pr);
  convInto(rt, inputGradGeom(g, F), g.C, pdy, pr, 0, 'linear', dx);
}

/**
 * The form of stride-1 convolution g over its channels padded with zeros to a multiple of 4
 * (conv-channel-pad.ts) when `path` (a pass's rank, below) finds no Winograd path for g itself and
 * one for the padded form, else null. The 6x6- and 8x8-tile Winograd kernels need channels in 4s;
 * a layer over 5-7 or 9-11 channels took implicit GEMM, the few-channel kernel or GEMM + col2im.
 * Where F(2x2, 3x3) already took it (9-11 channels) padding measured no faster (10 → 12 at 16x16)
 * or slower (9 → 12: 3-17%), so it is left there. Batch 32-64, one process, alternating, this Intel Xeon, forward /
 * input gradient / filter gradient in ms, unpadded → padded: LeNet-5's 5x5 6→16 'valid' on 14x14
 * 0.63/0.84/0.88 → 0.59/0.85/0.57; 'same' on 28x28 3.51/5.40/4.50 → 2.47/2.46/2.08; 5x5 5→32
 * 'same' on 32x32 3.87/6.52/4.20 → 2.62/2.76/2.22; 7x7 7→24 'same' on 32x32 7.56/10.3/8.57 →
 * 6.27/7.76/5.62; 3x3 6→32 'same' on 32x32 1.88/2.46/1.81 → 1.81/1.66/1.40; 3x3 6→12 'valid' on
 * 24x24 dx 0.70 → 0.49-0.53. Stride-2 layers gain nothing (3x3 and 5x5 6→32 on 32x32 were 1.0-1.2×
 * slower padded): stride 1 only.
 */
function channelPadding(g: Geom, path: (h: Geom) => number): Geom | null {
  if (!channelPadEnabled || g.C % 4 === 0 || g.C < 5 || g.sh !== 1 || g.sw !== 1) return null;
  const gp = channelPaddedGeom(g);
  return path(g) === 0 && path(gp) > 0 ? gp : null;
}
let channelPadEnabled = process.env.GLASSWING_CHANNEL_PAD !== '0';
/** For comparisons and tests: channel padding for the Winograd kernels on or off. */
export function setChannelPad(on: boolean): void {
  channelPadEnabled = on;
}
/** Ranks of a forward pass's paths: 2 a 6x6- or 8x8-tile Winograd kernel, 1 F(2x2, 3x3), 0 neither. */
export const forwardWinograd = (g: Geom, F: number): number => (winograd6Tile(g, F) ? 2 : usesWinograd(g, F) ? 1 : 0);
/** The same for a stride-1 input gradient: its convolution of dy's (g.C filters), where that is taken. */
export const inputGradWinograd = (g: Geom, F: number): number => (stride1InputGradPays(g, F) ? forwardWinograd(inputGradGeom(g, F), g.C) : 0);
/** The same for a filter gradient. */
export const filterGradWinograd = (g: Geom, F: number): number => (winograd6FilterGradTile(g, F) ? 2 : usesWinogradFilterGrad(g, F) ? 1 : 0);
/** Whether pass `path` of g runs over channels padded to a multiple of 4. */
export const padsChannels = (g: Geom, path: (h: Geom) => number): boolean => channelPadding(g, path) !== null;

/** The filter gradient through the stride-1 Winograd path filterGradWinograd ranks (6x6 or 8x8 tiles, else F(2x2, 3x3)), or null where it ranks none. */
function stride1WinogradFilterGrad(rt: SimdRuntime, g: Geom, F: number, px: number, pdy: number): Float32Array | null {
  const m = winograd6FilterGradTile(g, F);
  if (m) return winograd6FilterGrad(rt, g, F, px, pdy, m);
  return usesWinogradFilterGrad(g, F) ? winogradFilterGrad(rt, g, F, px, pdy) : null;
}

/** The stride-1 convolution that computes a stride-1 convolution's input gradient (of F-channel dy; g.C filters). */
function inputGradGeom(g: Geom, F: number): Geom {
  return {
    N: g.N, H: g.OH, W: g.OW, C: F, KH: g.KH, KW: g.KW, sh: 1, sw: 1, dh: g.dh, dw: g.dw,
    pt: (g.KH - 1) * g.dh - g.pt, pl: (g.KW - 1) * g.dw - g.pl, OH: g.H, OW: g.W,
  };
}

/** dw = conv2d's filter gradient for x [N, H, W, C] and dy [N, OH, OW, F], shaped [KH, KW, C, F]. */
export function conv2dBackpropFilter(ci: ConvInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const rt = simd();
  rt.reset();
  const { K, M, pointwise } = geometry(ci);
  const F = ci.outChannels;
  if (usesDirectFilterGrad(geomOf(ci), F)) return filterGradSmallC(rt, geomOf(ci), F, x, dy);
  const px = rt.put(x);
  const pdy = rt.put(dy);
  const g = geomOf(ci);
  const gp = channelPadding(g, (h) => filterGradWinograd(h, F));
  // channelPadding gave gp only where filterGradWinograd ranks a stride-1 path for it.
  if (gp) return channelUnpaddedFilterGrad(g, gp, F, stride1WinogradFilterGrad(rt, gp, F, channelPaddedImage(rt, g, gp, px), pdy)!);
  if (usesSpaceToDepthFilterGrad(g, F)) return spaceToDepthFilterGrad(g, F, winograd6FilterGrad(rt, spaceToDepthGeom(g), F, spaceToDepthImage(rt, g, px), pdy, 4));
  const s2 = winogradS2FilterGradTile(g, F);
  if (s2) return winogradS2FilterGrad(rt, g, F, s2, px, pdy);
  const wino = stride1WinogradFilterGrad(rt, g, F, px, pdy);
  if (wino) return wino;
  const dw = rt.result(K * F);
  // dw[K, F] = im2col(x)^T [K, M] * dy[M, F].
  const A = pointwise ? { addr: px, rs: 1, cs: K } : { image: px, geometry: putGeometry(rt, geomOf(ci)), transposed: true };
  gemmReduceK(rt, K, F, M, A, { addr: pdy, rs: F, cs: 1 }, dw);
  return rt.view(dw, K * F);
}
