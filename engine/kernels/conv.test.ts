// Convolution kernels (forward, fused, both gradients) against the stock cpu kernels, on random
// shapes covering strides, paddings and dilations, on the cpu and wasm backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../backends';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { fast, rand, randInt, relErr, stock } from './test-util';
import { filterGradWinograd, forwardWinograd, inputGradWinograd, padsChannels, setChannelPad, setPointSplitPanelBytes, setS2Tile3, setWasmConvChoice, usesPointSplitFilterGrad, stride1InputGradPays, setWinograd8, usesSpaceToDepth, usesSpaceToDepthFilterGrad, usesSpaceToDepthInputGrad, tile6x6, tilesPerBlock, usesWinograd, winograd6FilterGradTile, winograd6Tile, winogradS2InputGradTile, winogradS2Tile } from './conv';
import { geomOf, type Geom } from './conv-geometry';
import { simd } from './simd/runtime';
import { kernelThreads, setKernelThreads } from './index';
import { usesDirectFilterGrad, usesSmallCForward } from './conv-small-c';

const TOL = 1e-4;
const PADS = ['same', 'valid', 'explicit'] as const;

interface Case { N: number; H: number; W: number; C: number; F: number; KH: number; KW: number; sh: number; sw: number; dh: number; dw: number; pad: 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]]; seed: number }

function makeCase(seed: number, allowDilation: boolean): Case {
  const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, seed * 97 + k);
  const stride = r(1, 3, 1);
  const dil = allowDilation && stride === 1 ? r(1, 2, 2) : 1;
  const KH = r(1, 4, 3), KW = r(1, 4, 4);
  const kind = PADS[r(0, 2, 5)]!;
  const pad = kind === 'explicit' ? [[0, 0], [r(0, 2, 6), r(0, 2, 7)], [r(0, 2, 8), r(0, 2, 9)], [0, 0]] as Case['pad'] : kind;
  return { N: r(1, 3, 10), H: r(KH * dil, 11, 11), W: r(KW * dil, 11, 12), C: r(1, 5, 13), F: r(1, 10, 14), KH, KW, sh: stride, sw: r(1, 3, 15) > 2 ? 1 : stride, dh: dil, dw: dil, pad, seed };
}

const xOf = (c: Case) => tf.tensor4d(rand(c.N * c.H * c.W * c.C, c.seed), [c.N, c.H, c.W, c.C]);
const wOf = (c: Case) => tf.tensor4d(rand(c.KH * c.KW * c.C * c.F, c.seed + 1), [c.KH, c.KW, c.C, c.F]);
const fwd = (c: Case) => () => tf.conv2d(xOf(c), wOf(c), [c.sh, c.sw], c.pad, 'NHWC', [c.dh, c.dw]);
const outShape = (c: Case): number[] => {
  const y = tf.tidy(() => tf.conv2d(tf.zeros([c.N, c.H, c.W, c.C]) as tf.Tensor4D, tf.zeros([c.KH, c.KW, c.C, c.F]) as tf.Tensor4D, [c.sh, c.sw], c.pad, 'NHWC', [c.dh, c.dw]));
  const s = y.shape;
  y.dispose();
  return s;
};

for (const backend of ['cpu', 'wasm']) {
  test(`Conv2D forward matches stock (${backend})`, async () => {
    for (let s = 1; s <= 25; s++) {
      const c = makeCase(s, true);
      const want = await stock('cpu', fwd(c));
      const got = await fast(backend, fwd(c));
      assert.ok(relErr(got, want) < TOL, `case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
    }
  });

  test(`FusedConv2D (bias + relu) matches stock (${backend})`, async () => {
    for (let s = 30; s <= 40; s++) {
      const c = makeCase(s, true);
      const f = () => tf.fused.conv2d({ x: xOf(c), filter: wOf(c), strides: [c.sh, c.sw], pad: c.pad, dilations: [c.dh, c.dw], bias: tf.tensor1d(rand(c.F, s + 5)), activation: s % 2 ? 'relu' : 'linear' });
      const want = await stock('cpu', f);
      const got = await fast(backend, f);
      assert.ok(relErr(got, want) < TOL, `case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
    }
  });

  test(`Conv2DBackpropInput and Conv2DBackpropFilter match stock (${backend})`, async () => {
    for (let s = 50; s <= 75; s++) {
      const c = makeCase(s, false);
      const ys = outShape(c);
      const dy = () => tf.tensor(rand(ys.reduce((p, q) => p * q, 1), s + 7), ys);
      const attrs = { strides: [c.sh, c.sw], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
      const bpi = () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dy(), filter: wOf(c) }, { ...attrs, inputShape: [c.N, c.H, c.W, c.C] }) as tf.Tensor;
      const bpf = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: xOf(c), dy: dy() }, { ...attrs, filterShape: [c.KH, c.KW, c.C, c.F] }) as tf.Tensor;
      for (const [name, f] of [['input', bpi], ['filter', bpf]] as const) {
        const want = await stock('cpu', f);
        const got = await fast(backend, f);
        assert.ok(relErr(got, want) < TOL, `${name} gradient, case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
      }
    }
  });

  test(`conv2d gradients through tf.grads match stock (${backend})`, async () => {
    const c: Case = { N: 4, H: 28, W: 28, C: 1, F: 6, KH: 5, KW: 5, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 99 };
    const g = (which: 0 | 1) => () => tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same")))))([xOf(c), wOf(c)])[which]!;
    for (const which of [0, 1] as const) {
      const want = await stock('cpu', g(which));
      const got = await fast(backend, g(which));
      assert.ok(relErr(got, want) < TOL, `grad ${which}: rel err ${relErr(got, want)}`);
    }
  });
}

/** A random padding for seed s ('same', 'valid' or explicit). */
function randomPad(r: (lo: number, hi: number, k: number) => number): Case['pad'] {
  const kind = PADS[r(0, 2, 1)]!;
  return kind === 'explicit' ? [[0, 0], [r(0, 2, 2), r(0, 2, 3)], [r(0, 2, 4), r(0, 2, 5)], [0, 0]] : kind;
}

/** Forward, fused bias + activation and input gradient of case c (its strides, no dilation) on backend, against stock cpu. */
async function checkForwardAndInputGrad(c: Case, backend: string, activation: 'linear' | 'relu' | 'relu6'): Promise<void> {
  const s = c.seed;
  const bias = () => tf.tensor1d(rand(c.F, s + 5));
  const fused = () => tf.fused.conv2d({ x: xOf(c), filter: wOf(c), strides: [c.sh, c.sw], pad: c.pad, bias: bias(), activation });
  const ys = outShape(c);
  const dy = () => tf.tensor(rand(ys.reduce((p, q) => p * q, 1), s + 7), ys);
  const bpi = () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dy(), filter: wOf(c) },
    { strides: [c.sh, c.sw], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [c.N, c.H, c.W, c.C] } as unknown as tf.NamedAttrMap) as tf.Tensor;
  for (const [name, f] of [['forward', fwd(c)], ['fused', fused], ['input gradient', bpi]] as const) {
    const want = await stock('cpu', f);
    const got = await fast(backend, f);
    assert.ok(relErr(got, want) < TOL, `${name}, case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
  }
}

/** The filter gradient of case c (its strides, no dilation) on backend, against stock cpu. */
async function checkFilterGrad(c: Case, backend: string): Promise<void> {
  const ys = outShape(c);
  const dy = () => tf.tensor(rand(ys.reduce((p, q) => p * q, 1), c.seed + 7), ys);
  const bpf = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: xOf(c), dy: dy() },
    { strides: [c.sh, c.sw], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [c.KH, c.KW, c.C, c.F] } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const want = await stock('cpu', bpf);
  const got = await fast(backend, bpf);
  assert.ok(relErr(got, want) < TOL, `case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
}

// 3x3 stride-1 convolutions with enough channels take Winograd F(2x2, 3x3) (forward, and the input
// gradient as a convolution of dy): odd sizes (partial output tiles), channel counts that are not
// multiples of 4 or 8, every padding, tiles that do not fill the last panel.
for (const backend of ['cpu', 'wasm']) {
  test(`3x3 stride-1 convolutions (Winograd) and their input gradient match stock (${backend})`, async () => {
    for (let s = 200; s <= 215; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 53 + k);
      const c: Case = { N: r(1, 2, 6), H: r(3, 9, 7), W: r(3, 9, 8), C: r(8, 13, 9), F: r(8, 19, 10), KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: randomPad(r), seed: s };
      await checkForwardAndInputGrad(c, backend, s % 2 ? 'relu' : 'linear');
    }
  });
}

// The filter gradient of 3x3 stride-1 convolutions with 8 or more channels and filters goes through
// Winograd (fewer channels, as in a first layer, take the chunked GEMM); odd sizes leave partial tiles.
for (const backend of ['cpu', 'wasm']) {
  test(`3x3 stride-1 filter gradients (Winograd) match stock (${backend})`, async () => {
    for (let s = 300; s <= 314; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 61 + k);
      const c: Case = { N: r(1, 3, 6), H: r(3, 10, 7), W: r(3, 10, 8), C: r(1, 28, 9), F: r(9, 21, 10), KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: randomPad(r), seed: s };
      await checkFilterGrad(c, backend);
    }
  });
}

/** Runs f with 8x8 tiles off, so that 3x3 and 5x5 layers take the 6x6 tiles (F(4x4, 3x3), F(2x2, 5x5)). */
async function with6x6Tiles(f: () => Promise<void>): Promise<void> {
  setWinograd8(false);
  try {
    await f();
  } finally {
    setWinograd8(true);
  }
}

// 3x3 convolutions on larger maps take Winograd F(4x4, 3x3), 5x5 ones F(2x2, 5x5) (6x6 input tiles;
// channels a multiple of 4) where 8x8 tiles do not: forward, fused bias + activation, and the
// input gradient (a stride-1 convolution of dy); partial tiles at every edge, filter counts that
// are not multiples of 4 or 8. 8x8 tiles are off here (they take most 5x5 layers, tested below).
for (const backend of ['cpu', 'wasm']) {
  test(`6x6-tile Winograd (3x3 and 5x5) and the input gradient match stock (${backend})`, async () => {
    await with6x6Tiles(async () => {
      for (let s = 400; s <= 423; s++) {
        const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 59 + k);
        const k = s % 2 ? 5 : 3;
        const c: Case = { N: r(1, 2, 6), H: r(k + 2, 15, 7), W: r(k + 2, 15, 8), C: 4 * r(2, 5, 9), F: r(8, 21, 10), KH: k, KW: k, sh: 1, sw: 1, dh: 1, dw: 1, pad: randomPad(r), seed: s };
        await checkForwardAndInputGrad(c, backend, (['linear', 'relu', 'relu6'] as const)[s % 3]!);
      }
      // Wide layers (C·F ≥ 64·64) transform their weights on the threads, by whole 8-filter panels.
      await checkForwardAndInputGrad({ N: 1, H: 9, W: 8, C: 64, F: 70, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 424 }, backend, 'relu');
    });
  });
}

// Layers whose transformed weights are past 1 MiB take blocks of about 32 tiles in a multiple of the
// threads' count of tasks (U is read once per block); the last block partial. On 2 and 3 threads:
// F(6x6, 3x3) 128→128 on 11 images of 12x12 (44 tiles: 12, 12, 12, 8 on 2 threads where 8 fit L2),
// a 5x5 stride-2 layer through space to depth, and the stride-2 Winograd kernel (128→132 at 16x16).
test('Winograd blocks on layers with large transformed weights: sized to share out, bigger than L2 alone allows', () => {
  // F(6x6, 3x3) 128→128: U 64·128·128 floats (4 MiB), 64·256 floats a tile (8 tiles fit 512 KiB).
  const u = 64 * 128 * 128 * 4, tile = 64 * 256 * 4;
  assert.equal(tilesPerBlock(2, 44, u, tile), 12);
  assert.equal(tilesPerBlock(3, 44, u, tile), 8);
  assert.equal(tilesPerBlock(2, 512, 36 * 256 * 128 * 4, 36 * 384 * 4), 32);
  assert.equal(tilesPerBlock(2, 44, 1 << 20, tile), 8, 'U within 1 MiB: blocks as L2 allows');
  assert.equal(tilesPerBlock(16, 44, u, tile), 8, 'never smaller than L2 allows');
  assert.equal(tilesPerBlock(2, 44, 1 << 20, 16 * 16 * 4), 64, 'at most 64 tiles');
});
for (const backend of ['cpu', 'wasm']) {
  test(`Winograd layers with large transformed weights, on 2 and 3 threads, match stock (${backend})`, async () => {
    const before = kernelThreads();
    await tf.setBackend('cpu'); // outShape runs on the active backend
    try {
      for (const threads of [2, 3]) {
        setKernelThreads(threads);
        await checkForwardAndInputGrad({ N: 11, H: 12, W: 12, C: 128, F: 128, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 450 + threads }, backend, 'relu');
        await checkForwardAndInputGrad({ N: 9, H: 14, W: 13, C: 64, F: 132, KH: 5, KW: 5, sh: 2, sw: 2, dh: 1, dw: 1, pad: 'same', seed: 454 + threads }, backend, 'linear');
        await checkForwardAndInputGrad({ N: 9, H: 16, W: 15, C: 128, F: 132, KH: 3, KW: 3, sh: 2, sw: 2, dh: 1, dw: 1, pad: 'same', seed: 458 + threads }, backend, 'relu');
      }
    } finally {
      setKernelThreads(before);
    }
  });
}

// 3x3 convolutions on small maps (5-6, 9-12, 17-18 outputs) take F(6x6, 3x3) (8x8 input tiles):
// forward, fused bias + activation, the filter gradient, and the input gradient where its own output
// (the input's size) is such a map; partial tiles at every edge, every padding, filter counts not
// multiples of 4 or 8.
for (const backend of ['cpu', 'wasm']) {
  test(`8x8-tile Winograd F(6x6, 3x3) and both gradients match stock (${backend})`, async () => {
    let forward = 0, inputGrad = 0, filterGrad = 0;
    for (let s = 430; s <= 445; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 73 + k);
      const pad = randomPad(r);
      const [ph, pw] = Array.isArray(pad) ? [pad[1], pad[2]] : pad === 'same' ? [[1, 1], [1, 1]] : [[0, 0], [0, 0]];
      // An input side that gives one of the output sides the path takes.
      const side = (k: number, [before, after]: [number, number]): number => [5, 6, 10, 12, 17, 18][r(0, 5, k)]! + 2 - before - after;
      const c: Case = { N: r(1, 3, 6), H: side(7, ph as [number, number]), W: side(8, pw as [number, number]), C: 4 * r(2, 9, 9), F: r(8, 37, 10), KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad, seed: s };
      const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [3, 3, c.C, c.F], 1, 1, c.pad as 'same'));
      if (winograd6Tile(g, c.F) === 6) forward++;
      if (winograd6Tile({ ...g, C: c.F, H: g.OH, W: g.OW, OH: g.H, OW: g.W }, c.C) === 6) inputGrad++;
      if (winograd6FilterGradTile(g, c.F) === 6 && !usesDirectFilterGrad(g, c.F)) filterGrad++;
      await checkForwardAndInputGrad(c, backend, (['linear', 'relu', 'relu6'] as const)[s % 3]!);
      await checkFilterGrad(c, backend);
    }
    assert.ok(forward >= 14 && inputGrad >= 2 && filterGrad >= 12, `8x8 tiles ran ${forward} forward, ${inputGrad} input gradient, ${filterGrad} filter gradient of 16 cases`);
    // 'valid' 12x12 -> 10x10: both the forward pass and the input gradient (out to 12x12).
    const valid: Case = { N: 2, H: 12, W: 12, C: 16, F: 20, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'valid', seed: 447 };
    const gv = geomOf(tf.backend_util.computeConv2DInfo([2, 12, 12, 16], [3, 3, 16, 20], 1, 1, 'valid'));
    assert.ok(winograd6Tile(gv, 20) === 6 && winograd6Tile({ ...gv, C: 20, H: 10, W: 10, OH: 12, OW: 12 }, 16) === 6);
    await checkForwardAndInputGrad(valid, backend, 'linear');
    await checkFilterGrad(valid, backend);
    // Wide layers: their weights transformed on the threads, long sums (256 channels) in the tiles.
    const wide: Case = { N: 8, H: 6, W: 6, C: 256, F: 260, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 446 };
    await checkForwardAndInputGrad(wide, backend, 'relu');
    await checkFilterGrad(wide, backend);
  });
}

// 5x5 and 7x7 convolutions take F(4x4, 5x5) and F(2x2, 7x7) (8x8 input tiles, F(6x6, 3x3)'s
// points): forward, fused bias + activation, the filter gradient, and the input gradient (dy
// convolved with the turned filter, 5x5 or 7x7 too, where dy's channels are a multiple of 4);
// partial tiles at every edge, every padding, filter counts not multiples of 4 or 8.
for (const backend of ['cpu', 'wasm']) {
  test(`8x8-tile Winograd F(4x4, 5x5) and F(2x2, 7x7) and both gradients match stock (${backend})`, async () => {
    let forward = 0, inputGrad = 0, filterGrad = 0;
    for (let s = 460; s <= 479; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 61 + k);
      const pad = randomPad(r);
      const k = s % 2 ? 5 : 7, m = k === 5 ? 4 : 2;
      const F = s % 3 ? 4 * r(2, 6, 10) : r(8, 23, 10);
      // Enough tiles to pay for the weight transform (32): 4 or more per image for 5x5, 16 for 7x7.
      const c: Case = { N: k === 5 ? 8 : 2, H: r(k + 7, 19, 7), W: r(k + 7, 19, 8), C: 4 * r(2, 6, 9), F, KH: k, KW: k, sh: 1, sw: 1, dh: 1, dw: 1, pad, seed: s };
      const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [k, k, c.C, c.F], 1, 1, c.pad as 'same'));
      if (winograd6Tile(g, c.F) === m) forward++;
      if (stride1InputGradPays(g, c.F) && winograd6Tile({ ...g, C: c.F, H: g.OH, W: g.OW, OH: g.H, OW: g.W }, c.C) === m) inputGrad++;
      if (winograd6FilterGradTile(g, c.F) === m) filterGrad++;
      await checkForwardAndInputGrad(c, backend, (['linear', 'relu', 'relu6'] as const)[s % 3]!);
      await checkFilterGrad(c, backend);
    }
    assert.ok(forward === 20 && inputGrad >= 6 && filterGrad === 20, `8x8 tiles ran ${forward} forward, ${inputGrad} input gradient, ${filterGrad} filter gradient of 20 cases`);
    // Wide layers: weights transformed on the threads (C·F ≥ 64·64); a 1x1 output (64 products
    // for 49) keeps implicit GEMM.
    const wide: Case = { N: 2, H: 9, W: 10, C: 64, F: 68, KH: 7, KW: 7, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 472 };
    await checkForwardAndInputGrad(wide, backend, 'relu');
    await checkFilterGrad(wide, backend);
    const one = { N: 1, H: 7, W: 7, C: 64, KH: 7, KW: 7, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0, OH: 1, OW: 1 };
    assert.equal(winograd6Tile({ ...one, N: 64 }, 64), 0, '1x1 outputs');
    assert.equal(winograd6Tile({ ...one, H: 8, W: 8, pt: 3, pl: 3, OH: 8, OW: 8 }, 64), 0, 'one 8x8 image: 16 tiles');
    assert.equal(winograd6Tile({ ...one, N: 2, H: 8, W: 8, pt: 3, pl: 3, OH: 8, OW: 8 }, 64), 2, 'two: 32 tiles');
    assert.equal(winograd6Tile({ ...one, N: 7, H: 8, W: 8, KH: 5, KW: 5, pt: 2, pl: 2, OH: 8, OW: 8 }, 64), 2, '5x5 on 28 tiles: F(2x2, 5x5)');
    assert.equal(winograd6Tile({ ...one, N: 8, H: 8, W: 8, KH: 5, KW: 5, pt: 2, pl: 2, OH: 8, OW: 8 }, 64), 4, '32 tiles: F(4x4, 5x5)');
  });
}

// 3x3 stride-2 convolutions with channels a multiple of 4 take the polyphase Winograd kernels
// (forward with bias and activation, the filter gradient; the input gradient where dy's channels are a multiple of 4):
// even and odd sizes, every padding (tiles that start before the image, 'same' padding of 0 or 1 on
// top), partial tiles at every edge, filter counts that are not multiples of 4 or 8.
for (const backend of ['cpu', 'wasm']) {
  test(`3x3 stride-2 Winograd and both gradients match stock (${backend})`, async () => {
    let forward = 0, inputGrad = 0;
    for (let s = 600; s <= 619; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 71 + k);
      const F = s % 2 ? r(8, 21, 10) : 4 * r(2, 5, 10);
      const pad = randomPad(r);
      // Output sides the path takes (12, 15, 16), from any input side that gives them.
      const side = (k: number, [before, after]: [number, number]): number => {
        const out = [12, 15, 16][r(0, 2, k)]!;
        const extra = pad === 'same' ? -1 : pad === 'valid' ? 1 : 1 - before - after; // the smallest input side for out
        return 2 * out + extra + r(0, 1, k + 1);
      };
      const [ph, pw] = Array.isArray(pad) ? [pad[1], pad[2]] : [[0, 0] as [number, number], [0, 0] as [number, number]];
      const c: Case = { N: r(4, 5, 6), H: side(7, ph), W: side(9, pw), C: 4 * r(2, 5, 11), F, KH: 3, KW: 3, sh: 2, sw: 2, dh: 1, dw: 1, pad, seed: s };
      const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [3, 3, c.C, c.F], 2, 1, c.pad as 'same'));
      if (winogradS2Tile(g, c.F) === 4) forward++;
      if (winogradS2InputGradTile(g, c.F) === 4) inputGrad++;
      await checkForwardAndInputGrad(c, backend, (['linear', 'relu', 'relu6'] as const)[s % 3]!);
      await checkFilterGrad(c, backend);
    }
    assert.ok(forward >= 16 && inputGrad >= 6, `the Winograd path ran ${forward} forward, ${inputGrad} input gradient of 20 cases`);
    // Wide layers transform their weights on the threads, by groups of 4 filters.
    const wide: Case = { N: 8, H: 16, W: 16, C: 64, F: 68, KH: 3, KW: 3, sh: 2, sw: 2, dh: 1, dw: 1, pad: 'same', seed: 620 };
    const gw = geomOf(tf.backend_util.computeConv2DInfo([8, 16, 16, 64], [3, 3, 64, 68], 2, 1, 'same'));
    assert.ok(winogradS2Tile(gw, 68) && winogradS2InputGradTile(gw, 68));
    await checkForwardAndInputGrad(wide, backend, 'relu');
    await checkFilterGrad(wide, backend);
  });

  // The same kernels with 3x3 output tiles, for maps of 3x3, 6x6 and 9x9 outputs (and 12x12 and
  // 18x18 input gradients): sides of 6 or 9 outputs, mixed, from any padding that gives them.
  test(`3x3 stride-2 Winograd with 3x3 tiles and both gradients match stock (${backend})`, async () => {
    let forward = 0, inputGrad = 0;
    for (let s = 630; s <= 641; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 71 + k);
      const pad = randomPad(r);
      const side = (k: number, [before, after]: [number, number]): number => {
        const out = [6, 9][r(0, 1, k)]!;
        const extra = pad === 'same' ? -1 : pad === 'valid' ? 1 : 1 - before - after;
        return 2 * out + extra + r(0, 1, k + 1);
      };
      const [ph, pw] = Array.isArray(pad) ? [pad[1], pad[2]] : [[0, 0] as [number, number], [0, 0] as [number, number]];
      const c: Case = { N: 8, H: side(7, ph), W: side(9, pw), C: 4 * r(2, 5, 11), F: s % 2 ? r(8, 21, 10) : 4 * r(2, 5, 10), KH: 3, KW: 3, sh: 2, sw: 2, dh: 1, dw: 1, pad, seed: s };
      const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [3, 3, c.C, c.F], 2, 1, c.pad as 'same'));
      if (winogradS2Tile(g, c.F) === 3) forward++;
      if (winogradS2InputGradTile(g, c.F) === 3) inputGrad++;
      await checkForwardAndInputGrad(c, backend, (['linear', 'relu', 'relu6'] as const)[s % 3]!);
      await checkFilterGrad(c, backend);
    }
    assert.ok(forward >= 10 && inputGrad >= 3, `3x3 tiles ran ${forward} forward, ${inputGrad} input gradient of 12 cases`);
    // 3x3 outputs (one tile per image) of a wide layer: the weights transformed on the threads.
    const small: Case = { N: 32, H: 6, W: 6, C: 64, F: 68, KH: 3, KW: 3, sh: 2, sw: 2, dh: 1, dw: 1, pad: 'same', seed: 642 };
    assert.equal(winogradS2Tile(geomOf(tf.backend_util.computeConv2DInfo([32, 6, 6, 64], [3, 3, 64, 68], 2, 1, 'same')), 68), 3);
    await checkForwardAndInputGrad(small, backend, 'relu');
    await checkFilterGrad(small, backend);
  });
}

// 5x5 stride-2 convolutions go through their space-to-depth form (a 3x3 convolution over 4C
// channels, Winograd F(4x4, 3x3)): forward with bias and activation, both gradients; odd and even
// input sides, every padding (odd and even before each axis), channel counts that are not
// multiples of 4, filter counts off the 4/8 grid.
for (const backend of ['cpu', 'wasm']) {
  test(`5x5 stride-2 convolutions (space to depth) and both gradients match stock (${backend})`, async () => {
    let taken = 0;
    for (let s = 700; s <= 715; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 67 + k);
      const c: Case = { N: r(1, 3, 6), H: r(13, 26, 7), W: r(13, 26, 8), C: r(2, 11, 9), F: r(8, 21, 10), KH: 5, KW: 5, sh: 2, sw: 2, dh: 1, dw: 1, pad: randomPad(r), seed: s };
      const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [5, 5, c.C, c.F], 2, 1, c.pad as 'same'));
      if (usesSpaceToDepth(g, c.F)) taken++;
      await checkForwardAndInputGrad(c, backend, (['linear', 'relu', 'relu6'] as const)[s % 3]!);
      await checkFilterGrad(c, backend);
    }
    assert.ok(taken >= 12, `the space-to-depth path ran in ${taken} of 16 cases`);
    // Wide layers: the 3x3 convolution's weights transformed on the threads.
    const wide: Case = { N: 4, H: 16, W: 16, C: 32, F: 64, KH: 5, KW: 5, sh: 2, sw: 2, dh: 1, dw: 1, pad: 'same', seed: 716 };
    await checkForwardAndInputGrad(wide, backend, 'relu');
    await checkFilterGrad(wide, backend);
  });
}

// 4x4 stride-2 convolutions too (16+ channels): the same 3x3 convolution, some of its taps zero
// (even padding: the third of each axis); a mixed 4x5 kernel; one large enough for the filter gradient.
for (const backend of ['cpu', 'wasm']) {
  test(`4x4 stride-2 convolutions (space to depth) and both gradients match stock (${backend})`, async () => {
    let taken = 0, filterTaken = 0;
    const cases: Case[] = [];
    for (let s = 720; s <= 727; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 71 + k);
      cases.push({ N: r(1, 2, 6), H: r(13, 26, 7), W: r(13, 26, 8), C: r(16, 19, 9), F: r(8, 13, 10), KH: 4, KW: s === 727 ? 5 : 4, sh: 2, sw: 2, dh: 1, dw: 1, pad: randomPad(r), seed: s });
    }
    cases.push({ N: 2, H: 32, W: 33, C: 16, F: 12, KH: 4, KW: 4, sh: 2, sw: 2, dh: 1, dw: 1, pad: 'same', seed: 728 });
    for (const c of cases) {
      const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [c.KH, c.KW, c.C, c.F], 2, 1, c.pad as 'same'));
      if (usesSpaceToDepth(g, c.F)) taken++;
      if (usesSpaceToDepthFilterGrad(g, c.F)) filterTaken++;
      await checkForwardAndInputGrad(c, backend, (['linear', 'relu', 'relu6'] as const)[c.seed % 3]!);
      await checkFilterGrad(c, backend);
    }
    assert.ok(taken >= 6 && filterTaken >= 1, `the space-to-depth path ran in ${taken} of 9 cases, its filter gradient in ${filterTaken}`);
  });
}

test('the space-to-depth path is taken where it should be', () => {
  const g = (K: number, H: number, C: number, sh = 2, pt = 1, dh = 1) => ({ N: 8, H, W: H, C, KH: K, KW: K, sh, sw: sh, dh, dw: dh, pt, pl: pt, OH: Math.ceil(H / sh), OW: Math.ceil(H / sh) });
  assert.ok(usesSpaceToDepth(g(5, 32, 32), 64));
  assert.ok(usesSpaceToDepth(g(5, 64, 3), 32), 'a first layer (12 channels after space to depth)');
  assert.ok(!usesSpaceToDepth(g(5, 32, 32), 4), 'few filters');
  assert.ok(!usesSpaceToDepth(g(3, 32, 32), 64), '3x3 kernels: a 2x2 convolution over 4C channels multiplies more');
  assert.ok(!usesSpaceToDepth(g(5, 32, 32, 1), 64), 'stride 1');
  assert.ok(!usesSpaceToDepth(g(5, 32, 32, 2, 1, 2), 64), 'dilated');
  assert.ok(usesSpaceToDepth(g(5, 8, 32), 64), '4x4 outputs: one tile per image');
  assert.ok(!usesSpaceToDepth(g(5, 4, 32), 64), '2x2 outputs: the 3x3 convolution would waste most of a 4x4 tile');
  assert.ok(!usesSpaceToDepth(g(5, 32, 32, 2, 6), 64), 'padding of more than 4');
  assert.ok(usesSpaceToDepth(g(4, 32, 32), 64) && usesSpaceToDepthFilterGrad(g(4, 32, 32), 64), '4x4 kernels, 16x16 outputs');
  assert.ok(usesSpaceToDepth(g(4, 16, 64), 128) && !usesSpaceToDepthFilterGrad(g(4, 16, 64), 128), '4x4 kernels, 8x8 outputs: the filter gradient stays on the GEMM');
  assert.ok(usesSpaceToDepthFilterGrad(g(5, 16, 64), 128), '5x5 kernels: the filter gradient too, at any size');
  assert.ok(!usesSpaceToDepth(g(4, 64, 3), 32) && !usesSpaceToDepth(g(4, 32, 8), 32), '4x4 first layers and few channels: implicit GEMM or the direct kernel');
  assert.ok(!usesSpaceToDepth(g(6, 32, 32), 64) && !usesSpaceToDepth(g(7, 32, 32), 64), '6x6 and 7x7 kernels: more than 3 block taps');
  assert.ok(usesSpaceToDepth(g(5, 12, 64), 128) && usesSpaceToDepthInputGrad(g(5, 12, 64), 128) && !usesSpaceToDepthFilterGrad(g(5, 12, 64), 128),
    '5x5 kernels at 6x6 outputs: 8x8 tiles forward and for the input gradient, the GEMM for the filter gradient');
  assert.ok(usesSpaceToDepth({ ...g(5, 13, 64, 2, 0), OH: 5, OW: 5 }, 128) && !usesSpaceToDepthInputGrad({ ...g(5, 13, 64, 2, 0), OH: 5, OW: 5 }, 128), "5x5 'valid' at 5x5 outputs: the input gradient convolves out to 7x7");
  assert.ok(!usesSpaceToDepth(g(4, 12, 64), 128), '4x4 kernels at 6x6 outputs: no gain from 8x8 tiles');
});

// A stride-1 'valid' convolution's input gradient convolves dy out to the input's size; on small
// maps that convolution's Winograd tiles multiply more than the direct products, and a GEMM and
// col2im takes it: 5x5 at 5x5 and 6x6 outputs, 3x3 at 2x2. Both paths against stock.
for (const backend of ['cpu', 'wasm']) {
  test(`input gradients of 'valid' convolutions on small maps take the path that multiplies less and match stock (${backend})`, async () => {
    // Two images: dy's convolutions out to 9x9 and 10x10 have too few 8x8 tiles (18) for F(4x4,
    // 5x5), and F(2x2, 5x5) takes 900 products for the direct 625 and 900; out to 18x18 (50 tiles)
    // F(4x4, 5x5) takes 1,600 for 4,900.
    const cases: [number, number, boolean][] = [[5, 9, false], [5, 10, false], [5, 12, true], [5, 18, true], [3, 4, false], [3, 12, true]];
    for (const [k, H, convolved] of cases) {
      const c: Case = { N: 2, H, W: H, C: 8, F: 12, KH: k, KW: k, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'valid', seed: 900 + H * k };
      const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, H, H, c.C], [k, k, c.C, c.F], 1, 1, 'valid'));
      assert.equal(stride1InputGradPays(g, c.F), convolved, `${k}x${k} 'valid' from ${H}x${H}`);
      await checkForwardAndInputGrad(c, backend, 'relu');
    }
  });
}

test('the stride-2 Winograd path is taken where it should be', () => {
  const g = (H: number, C: number, pt = 0, sh = 2, N = 8) => ({ N, H, W: H, C, KH: 3, KW: 3, sh, sw: sh, dh: 1, dw: 1, pt, pl: pt, OH: Math.ceil(H / sh), OW: Math.ceil(H / sh) });
  assert.ok(winogradS2Tile(g(32, 32), 64) === 4 && winogradS2InputGradTile(g(32, 32), 64) === 4);
  assert.equal(winogradS2Tile(g(16, 64), 13), 4, 'any filter count from 8');
  assert.equal(winogradS2InputGradTile(g(16, 64), 13), 0, 'input gradient: dy channels not a multiple of 4');
  assert.ok(winogradS2Tile(g(12, 64), 64) === 3 && winogradS2InputGradTile(g(12, 64), 64) === 3, '6x6 outputs: four 3x3 tiles (2x2 tiles of 16 outputs cost as much as the direct convolution)');
  assert.equal(winogradS2Tile(g(18, 64), 64), 3, '9x9 outputs');
  assert.equal(winogradS2Tile(g(24, 64), 64), 4, '12x12 outputs: 4x4 tiles multiply less');
  assert.equal(winogradS2Tile(g(10, 64), 64), 0, '5x5 outputs: neither tile multiplies clearly less than the direct convolution');
  assert.equal(winogradS2Tile(g(22, 64), 64), 0, '11x11 outputs');
  assert.equal(winogradS2Tile(g(32, 6), 64), 0, 'channels not a multiple of 4');
  assert.equal(winogradS2Tile(g(32, 3), 64), 0, 'a first layer');
  assert.ok(!winogradS2Tile(g(32, 32, 0, 1), 64) && !winogradS2InputGradTile(g(32, 32, 0, 1), 64), 'stride 1');
  assert.ok(!winogradS2Tile(g(16, 64, 0, 2, 1), 64) && !winogradS2InputGradTile(g(32, 32, 0, 2, 1), 64), 'a single small image: too few tiles to pay for transforming the weights');
  setS2Tile3(false);
  try {
    assert.equal(winogradS2Tile(g(12, 64), 64), 0, 'without 3x3 tiles, 6x6 outputs take the GEMM');
  } finally {
    setS2Tile3(true);
  }
});

test('the 6x6-tile Winograd path is taken where it should be', () => {
  const g = (KH: number, C: number, OH: number, sh = 1) => ({ N: 8, H: OH, W: OH, C, KH, KW: KH, sh, sw: sh, dh: 1, dw: 1, pt: 0, pl: 0, OH, OW: OH });
  assert.equal(winograd6Tile(g(5, 32, 24), 64), 4, '5x5 on 24x24 outputs: F(4x4, 5x5), 2,304 products against 5,184');
  assert.equal(winograd6Tile(g(5, 32, 2), 64), 2, '2x2 outputs: one 6x6 tile, 36 products against an 8x8 one\'s 64');
  assert.equal(winograd6Tile(g(3, 32, 32), 32), 4);
  assert.equal(winograd6Tile(g(3, 32, 9), 32), 6, '9x9 outputs: four 8x8 tiles, 256 products against 324 (4x4 tiles) or 400 (2x2)');
  assert.equal(tile6x6(g(3, 32, 9), 32), 0, '9x9 outputs without 8x8 tiles: F(2x2, 3x3) wastes less than 4x4 tiles');
  assert.equal(winograd6Tile(g(3, 6, 32), 32), 0, 'channels not a multiple of 4');
  assert.equal(winograd6Tile(g(3, 32, 32, 2), 32), 0, 'stride 2');
  assert.equal(winograd6Tile(g(5, 32, 24), 4), 0, 'few filters');
  assert.equal(winograd6Tile(g(3, 32, 6), 32), 6, '6x6 outputs: one 8x8 tile, 64 products against 144');
  assert.equal(winograd6Tile(g(3, 32, 12), 32), 6, '12x12 outputs: 256 products against 324');
  assert.equal(winograd6Tile(g(3, 32, 16), 32), 4, '16x16 outputs: as many products as 4x4 tiles');
  assert.equal(winograd6FilterGradTile(g(3, 32, 6), 32), 6, 'the filter gradient too');
  assert.equal(winograd6FilterGradTile(g(3, 32, 16), 32), 4);
  // Few tiles of a wide layer: the transformed weights cost more than the products they save.
  const wide = (N: number, OH: number) => ({ ...g(3, 256, OH), N });
  assert.equal(tile6x6(wide(2, 8), 256), 0, '256→256, two 8x8 outputs (8 tiles): implicit GEMM');
  assert.equal(tile6x6(wide(4, 8), 256), 4, 'four (16 tiles): F(4x4, 3x3)');
  assert.equal(winograd6FilterGradTile(wide(2, 8), 256), 0, 'the filter gradient too');
  assert.ok(!usesWinograd({ ...g(3, 512, 4), N: 16 }, 512) && usesWinograd({ ...g(3, 512, 4), N: 32 }, 512), '512→512 at 4x4: from 32 images');
  assert.ok(usesWinograd({ ...g(3, 64, 4), N: 1 }, 64), 'narrower layers whatever the batch');
  assert.equal(usesPointSplitFilterGrad(36, 64, 128), false, 'filter gradient U of 1.1 MiB: by chunks of tiles');
  assert.equal(usesPointSplitFilterGrad(36, 128, 128), true, 'U of 2.25 MiB: by points');
  assert.equal(usesPointSplitFilterGrad(64, 128, 120), true, '8x8 tiles, a partial filter panel: 4 MiB');
  setWinograd8(false);
  try {
    assert.equal(winograd6Tile(g(3, 32, 12), 32), 4, 'without 8x8 tiles');
  } finally {
    setWinograd8(true);
  }
});

// Their filter gradients take the same 6x6 tiles (3x3 on larger maps, 5x5 with 8x8 tiles off), summed over chunks of tiles.
for (const backend of ['cpu', 'wasm']) {
  test(`6x6-tile Winograd filter gradients (3x3 and 5x5) match stock (${backend})`, async () => {
    await with6x6Tiles(async () => {
      for (let s = 500; s <= 519; s++) {
        const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 67 + k);
        const k = s % 2 ? 5 : 3;
        const c: Case = { N: r(1, 3, 6), H: r(k + 2, 15, 7), W: r(k + 2, 15, 8), C: 4 * r(2, 5, 9), F: r(9, 21, 10), KH: k, KW: k, sh: 1, sw: 1, dh: 1, dw: 1, pad: randomPad(r), seed: s };
        await checkFilterGrad(c, backend);
      }
    });
    await checkFilterGrad({ N: 1, H: 9, W: 8, C: 64, F: 70, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 520 }, backend);
    // U past 1 MiB (blocks of at least 32 tiles), 80 tiles in two equal chunks of two 20-tile blocks.
    await checkFilterGrad({ N: 5, H: 13, W: 13, C: 64, F: 120, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 521 }, backend);
    // U past 2 MiB: split by points. F(4x4, 3x3) with a partial last filter panel; the same in panels
    // of 4 tiles (three: the later ones add to U); F(6x6, 3x3) (64 points); 5x5 stride 2 through
    // space to depth (256 channels).
    const wide: Case = { N: 3, H: 8, W: 8, C: 128, F: 124, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 522 };
    assert.ok(usesPointSplitFilterGrad(36, 128, 124));
    await checkFilterGrad(wide, backend);
    setPointSplitPanelBytes(4 * 4 * 36 * (128 + 128));
    try {
      await checkFilterGrad({ ...wide, seed: 523 }, backend);
    } finally {
      setPointSplitPanelBytes(8 << 20);
    }
    await checkFilterGrad({ N: 2, H: 12, W: 12, C: 128, F: 128, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 524 }, backend);
    await checkFilterGrad({ N: 4, H: 16, W: 15, C: 64, F: 128, KH: 5, KW: 5, sh: 2, sw: 2, dh: 1, dw: 1, pad: 'same', seed: 525 }, backend);
  });
}

// First layers (1-4 input channels) take the few-channel kernels: the filter gradient for 1-4
// channels, the forward pass for one, or for 2-4 with up to 32 filters (wasm forced past XNNPACK). Kernels up to 7x7 and not square,
// strides that differ per axis, dilations (forward only: the stock filter gradient has none), every padding, filter counts around the 8-filter blocks,
// widths that leave a partial group of 4 output pixels.
for (const backend of ['cpu', 'wasm']) {
  test(`few-channel convolutions (forward, filter gradient) match stock (${backend})`, async () => {
    if (backend === 'wasm') setWasmConvChoice('glasswing');
    try {
      for (let s = 600; s <= 631; s++) {
        const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 71 + k);
        const KH = r(1, 7, 1), KW = r(1, 7, 2), sh = r(1, 3, 3), sw = r(1, 3, 4), dil = sh === 1 && sw === 1 ? r(1, 2, 5) : 1;
        const C = s % 4 === 0 ? 1 : r(1, 4, 6);
        const c: Case = { N: r(1, 3, 7), H: r(KH * dil, 21, 8), W: r(KW * dil, 21, 9), C, F: r(1, 40, 10), KH, KW, sh, sw, dh: dil, dw: dil, pad: randomPad(r), seed: s };
        const g = { N: c.N, H: c.H, W: c.W, C, KH, KW, sh, sw, dh: dil, dw: dil, pt: 0, pl: 0, OH: 1, OW: 1 };
        assert.ok(usesDirectFilterGrad(g, c.F));
        assert.equal(usesSmallCForward(g, c.F), C === 1 || c.F <= 32);
        if (usesSmallCForward(g, c.F)) {
          const act = (['linear', 'relu', 'relu6'] as const)[s % 3]!;
          const fused = () => tf.fused.conv2d({ x: xOf(c), filter: wOf(c), strides: [sh, sw], pad: c.pad, dilations: [dil, dil], bias: tf.tensor1d(rand(c.F, s + 5)), activation: act });
          for (const [name, f] of [['forward', fwd(c)], ['fused ' + act, fused]] as const) {
            const want = await stock('cpu', f);
            const got = await fast(backend, f);
            assert.ok(relErr(got, want) < TOL, `${name}, case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
          }
        }
        if (dil > 1) continue; // the stock filter gradient has no dilations
        const ys = outShape(c);
        const dy = () => tf.tensor(rand(ys.reduce((p, q) => p * q, 1), s + 7), ys);
        const bpf = () => tf.engine().runKernel('Conv2DBackpropFilter', { x: xOf(c), dy: dy() },
          { strides: [sh, sw], pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [KH, KW, C, c.F] } as unknown as tf.NamedAttrMap) as tf.Tensor;
        const want = await stock('cpu', bpf);
        const got = await fast(backend, bpf);
        assert.ok(relErr(got, want) < TOL, `filter gradient, case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
      }
    } finally {
      setWasmConvChoice('auto');
    }
  });
}

// Stride-1 layers over 5-8 channels with up to 16 filters that no Winograd path takes (LeNet-5's
// second layer: 5x5, 6 -> 16) run the few-channel forward kernel: kernels up to 7x7 and not square,
// dilations, every padding, filter counts below and across the 8-filter block (1-7 store whole
// pixels but a row's last), widths that leave a partial group of 4 output pixels.
for (const backend of ['cpu', 'wasm']) {
  test(`few-channel forward kernel over 5-8 channels matches stock (${backend})`, async () => {
    if (backend === 'wasm') setWasmConvChoice('glasswing');
    setChannelPad(false); // 5x5 and 7x7 layers would take Winograd over padded channels instead
    let taken = 0;
    try {
      const cases: Case[] = [];
      for (let s = 640; s <= 652; s++) {
        const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 67 + k);
        const KH = r(2, 7, 1), KW = r(1, 7, 2), dil = r(1, 2, 5);
        cases.push({ N: r(1, 3, 7), H: r(KH * dil, 19, 8), W: r(KW * dil, 19, 9), C: r(5, 7, 6), F: r(1, 16, 10), KH, KW, sh: 1, sw: 1, dh: dil, dw: dil, pad: randomPad(r), seed: s });
      }
      // 8 channels reach the kernel past the Winograd paths only with other kernel sizes.
      cases.push({ N: 2, H: 13, W: 13, C: 8, F: 16, KH: 7, KW: 5, sh: 1, sw: 1, dh: 1, dw: 1, pad: 'same', seed: 653 });
      for (const c of cases) {
        const s = c.seed;
        const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [c.KH, c.KW, c.C, c.F], 1, c.dh, c.pad as 'same'));
        if (usesSmallCForward(g, c.F) && !winograd6Tile(g, c.F) && !usesWinograd(g, c.F)) taken++;
        const act = (['linear', 'relu', 'relu6'] as const)[s % 3]!;
        const fused = () => tf.fused.conv2d({ x: xOf(c), filter: wOf(c), strides: 1, pad: c.pad, dilations: [c.dh, c.dw], bias: tf.tensor1d(rand(c.F, s + 5)), activation: act });
        for (const [name, f] of [['forward', fwd(c)], ['fused ' + act, fused]] as const) {
          const want = await stock('cpu', f);
          const got = await fast(backend, f);
          assert.ok(relErr(got, want) < TOL, `${name}, case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
        }
      }
    } finally {
      setWasmConvChoice('auto');
      setChannelPad(true);
    }
    assert.equal(taken, 14, `the few-channel kernel ran in ${taken} of 14 cases`);
    assert.ok(!usesSmallCForward({ N: 1, H: 32, W: 32, C: 6, KH: 3, KW: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 0, pl: 0, OH: 16, OW: 16 }, 16), 'stride 2 keeps implicit GEMM');
    assert.ok(!usesSmallCForward({ N: 1, H: 32, W: 32, C: 6, KH: 3, KW: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1, OH: 32, OW: 32 }, 17), 'more than 16 filters keep implicit GEMM');
  });
}

// Stride-1 layers over channels not a multiple of 4 (5-7 and 9-11; LeNet-5's second layer: 5x5,
// 6 -> 16) take the Winograd kernels over zero channels added up to a multiple of 4, where no
// Winograd path took them before: forward with bias and activation (wasm forced past XNNPACK), the
// input gradient (dx back without the added channels) and the filter gradient (their rows dropped).
// Every padding, partial tiles, filter counts not multiples of 4 or 8. The padded passes are
// counted where they copy the image (forward, filter gradient) or dx (input gradient).
for (const backend of ['cpu', 'wasm']) {
  test(`stride-1 layers over channels not a multiple of 4 run padded with zero channels and match stock (${backend})`, async () => {
    await tf.setBackend(backend);
    if (backend === 'wasm') setWasmConvChoice('glasswing');
    const rt = simd(), runTasks = rt.runTasks;
    let copies = 0, forward = 0, inputGrad = 0, filterGrad = 0;
    rt.runTasks = function (this: typeof rt, ...args: Parameters<typeof runTasks>) {
      if (args[0] === 'copyRows') copies++;
      return runTasks.apply(this, args);
    };
    try {
      for (let s = 700; s <= 717; s++) {
        const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 79 + k);
        const k = [3, 5, 7][s % 3]!;
        const c: Case = { N: k === 7 ? 3 : 2, H: r(k + 3, 15, 1), W: r(k + 3, 15, 2), C: [5, 6, 7, 9, 10, 11][r(0, 5, 3)]!, F: s % 4 ? 4 * r(3, 5, 4) : r(9, 20, 4), KH: k, KW: k, sh: 1, sw: 1, dh: 1, dw: 1, pad: randomPad(r), seed: s };
        const g = geomOf(tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [k, k, c.C, c.F], 1, 1, c.pad as 'same'));
        const fwdPadded = !usesSmallCForward(g, c.F) && padsChannels(g, (h: Geom) => forwardWinograd(h, c.F));
        const dxPadded = padsChannels(g, (h: Geom) => inputGradWinograd(h, c.F));
        const dwPadded = !usesDirectFilterGrad(g, c.F) && padsChannels(g, (h: Geom) => filterGradWinograd(h, c.F));
        // Each pass against stock cpu, and the images it copied: one per padded pass (the input
        // gradient's own convolution, of dy, may be padded too when dy's channels are not in 4s).
        const ys = outShape(c), dy = () => tf.tensor(rand(ys.reduce((p, q) => p * q, 1), s + 7), ys);
        const attrs = { strides: 1, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
        const passes = [
          ['forward', +fwdPadded, () => tf.fused.conv2d({ x: xOf(c), filter: wOf(c), strides: 1, pad: c.pad, bias: tf.tensor1d(rand(c.F, s + 5)), activation: (['linear', 'relu', 'relu6'] as const)[s % 3]! })],
          ['input gradient', +dxPadded, () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dy(), filter: wOf(c) }, { ...attrs, inputShape: [c.N, c.H, c.W, c.C] } as unknown as tf.NamedAttrMap) as tf.Tensor],
          ['filter gradient', +dwPadded, () => tf.engine().runKernel('Conv2DBackpropFilter', { x: xOf(c), dy: dy() }, { ...attrs, filterShape: [k, k, c.C, c.F] } as unknown as tf.NamedAttrMap) as tf.Tensor],
        ] as const;
        for (const [name, padded, f] of passes) {
          const want = await stock('cpu', f);
          const before = copies;
          const got = await fast(backend, f);
          assert.ok(relErr(got, want) < TOL, `${name}, case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
          const ran = copies - before;
          assert.ok(name === 'input gradient' && c.F % 4 ? ran >= padded : ran === padded, `${name}: ${ran} image copies, ${padded} expected, case ${JSON.stringify(c)}`);
        }
        forward += +fwdPadded;
        inputGrad += +dxPadded;
        filterGrad += +dwPadded;
      }
    } finally {
      rt.runTasks = runTasks;
      setWasmConvChoice('auto');
    }
    assert.ok(forward >= 6 && inputGrad >= 8 && filterGrad >= 8, `padded: ${forward} forward, ${inputGrad} input gradient, ${filterGrad} filter gradient passes of 18 cases`);
    // The rule's edges, on LeNet-5's second layer (batch 64).
    const lenet: Geom = { N: 64, H: 14, W: 14, C: 6, KH: 5, KW: 5, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0, OH: 10, OW: 10 };
    const dw = (h: Geom): number => filterGradWinograd(h, 16);
    assert.ok(padsChannels(lenet, dw), "LeNet-5's second layer");
    assert.ok(usesSmallCForward(lenet, 16), "LeNet-5's second layer's forward pass stays with the few-channel kernel");
    assert.ok(!padsChannels({ ...lenet, C: 8 }, dw), 'channels already a multiple of 4');
    assert.ok(!padsChannels({ ...lenet, C: 3 }, dw), 'first layers (the few-channel kernels)');
    assert.ok(!padsChannels({ ...lenet, sh: 2, sw: 2, OH: 5, OW: 5 }, dw), 'stride 2: no gain measured');
    assert.ok(!padsChannels({ ...lenet, C: 10, KH: 3, KW: 3, OH: 12, OW: 12 }, dw), 'F(2x2, 3x3) already takes 10 channels');
    setChannelPad(false);
    try {
      assert.ok(!padsChannels(lenet, dw), 'switched off');
    } finally {
      setChannelPad(true);
    }
  });
}

// Layers with 8 or fewer filters take the direct filter gradient too, whatever their channel count.
for (const backend of ['cpu', 'wasm']) {
  test(`direct filter gradients of layers with few filters match stock (${backend})`, async () => {
    for (let s = 650; s <= 665; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 73 + k);
      const KH = r(1, 5, 1), KW = r(1, 5, 2), stride = r(1, 2, 3);
      const c: Case = { N: r(1, 3, 4), H: r(KH, 17, 5), W: r(KW, 17, 6), C: r(5, 40, 7), F: r(1, 8, 8), KH, KW, sh: stride, sw: stride, dh: 1, dw: 1, pad: randomPad(r), seed: s };
      assert.ok(usesDirectFilterGrad({ ...c, pt: 0, pl: 0, OH: 1, OW: 1 }, c.F));
      await checkFilterGrad(c, backend);
    }
  });
}

// Explicit padding past the kernel's extent (a 1x1 kernel padded by 1 or 2, a 3x3 by 3): the input
// gradient as a convolution of dy would pad dy negatively, and read before its first row (the cpu
// backend read out of the kernels' memory); the filter gradient's im2col packing wrote zeros past
// a short row segment (below). Small layers, and layers large enough for the Winograd,
// space-to-depth and stride-2 paths; forward, fused and both gradients, on 1 and 3 threads.
for (const backend of ['cpu', 'wasm']) {
  test(`explicit padding wider than the kernel matches stock in every pass (${backend})`, async () => {
    await tf.setBackend(backend);
    const threads = kernelThreads();
    try {
      let s = 700;
      for (const [K, C, F, stride, H, pads] of [
        [1, 1, 1, 1, 22, [1, 0, 2, 0]], [1, 8, 16, 1, 12, [2, 1, 0, 2]], [1, 32, 32, 2, 15, [1, 1, 1, 1]],
        [3, 32, 32, 1, 16, [3, 0, 0, 3]], [3, 32, 64, 2, 24, [3, 3, 3, 3]], [5, 16, 32, 2, 20, [5, 0, 4, 1]], [3, 3, 16, 1, 20, [3, 1, 3, 1]],
      ] as const) {
        s++;
        const c: Case = { N: 2, H, W: H + 1, C, F, KH: K, KW: K, sh: stride, sw: stride, dh: 1, dw: 1, pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], seed: s };
        for (const n of [1, 3]) {
          setKernelThreads(n);
          await checkForwardAndInputGrad(c, backend, 'relu');
          await checkFilterGrad(c, backend);
        }
      }
      // The filter gradient's packing of im2col(x)^T zeroed past a row segment shorter than the
      // padding (a reduction block ending one pixel into a row) and so into the next panel.
      for (const [N, H, W, C, F, K, KW, pads] of [[6, 7, 30, 96, 128, 1, 1, [2, 0, 2, 1]], [6, 7, 30, 96, 128, 4, 1, [2, 0, 2, 1]], [5, 32, 17, 64, 64, 4, 3, [2, 1, 3, 0]]] as const) {
        setKernelThreads(1);
        await checkFilterGrad({ N, H, W, C, F, KH: K, KW, sh: 1, sw: 1, dh: 1, dw: 1, pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], seed: ++s }, backend);
      }
    } finally {
      setKernelThreads(threads);
    }
  });
}

// TF's 'same' pads nothing where the stride is larger than the kernel and the map a multiple of the
// stride (a 1x3 filter at stride 2 on 12x12): the stock wasm kernel (XNNPACK's own SAME padding)
// returned zeros there, for Conv2D and for FusedConv2D with any activation (prelu, elu, leakyrelu
// included, which always run stock), and for fused depthwise convolutions with the activations
// Glasswing's kernel lacks. Glasswing hands the stock kernel the padding spelled out.
test("'same' convolutions whose padding is none (stride past the kernel) match stock on wasm", async () => {
  await tf.setBackend('wasm');
  let s = 720;
  for (const [KH, KW, sh, sw, H, W, C, F] of [[1, 3, 2, 2, 12, 12, 4, 8], [3, 1, 3, 3, 32, 23, 4, 32], [2, 2, 3, 3, 12, 12, 3, 16], [3, 3, 4, 4, 12, 12, 8, 8], [1, 2, 4, 1, 12, 12, 4, 4]] as const) {
    s++;
    const x = () => tf.tensor4d(rand(2 * H * W * C, s), [2, H, W, C]);
    const w = () => tf.tensor4d(rand(KH * KW * C * F, s + 1), [KH, KW, C, F]);
    const bias = () => tf.tensor1d(rand(F, s + 2));
    const cases: [string, () => tf.Tensor][] = [
      ['conv2d', () => tf.conv2d(x(), w(), [sh, sw], 'same')],
      ...(['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const).map((activation): [string, () => tf.Tensor] => [`fused ${activation}`, () => tf.fused.conv2d({
        x: x(), filter: w(), strides: [sh, sw], pad: 'same', bias: bias(), activation, leakyreluAlpha: 0.2,
        preluActivationWeights: activation === 'prelu' ? tf.tensor1d(rand(F, s + 3)) : undefined,
      })]),
      ...(['relu', 'elu', 'prelu'] as const).map((activation): [string, () => tf.Tensor] => [`fused depthwise ${activation}`, () => tf.fused.depthwiseConv2d({
        x: x(), filter: tf.tensor4d(rand(KH * KW * C, s + 4), [KH, KW, C, 1]), strides: [sh, sw], pad: 'same', bias: tf.tensor1d(rand(C, s + 5)), activation,
        preluActivationWeights: activation === 'prelu' ? tf.tensor1d(rand(C, s + 6)) : undefined,
      })]),
    ];
    for (const [name, f] of cases) {
      const want = await stock('cpu', f);
      const got = await fast('wasm', f);
      assert.ok(relErr(got, want) < TOL, `${name} ${KH}x${KW} stride ${sh}x${sw} on ${H}x${W}: rel err ${relErr(got, want)}`);
    }
  }
});

// A numeric padding with dimRoundingMode 'ceil' can put the last windows past the padded input (10
// rows padded by 1, a 1x1 kernel at stride 3: 5 outputs, the last reading row 11): TF reads zeros
// there. XNNPACK read past the input (values from other tensors on Glasswing's shared heap), and TF's
// gradient drops the rounding mode, so dy arrives larger than the gradient's geometry.
for (const backend of ['cpu', 'wasm']) {
  test(`convolutions whose rounded-up windows pass the padding match stock (${backend})`, async () => {
    await tf.setBackend(backend);
    let s = 740;
    for (const [H, K, stride, pad, C, F] of [[10, 1, 3, 1, 16, 8], [10, 1, 3, 1, 3, 8], [13, 3, 2, 1, 32, 64], [11, 5, 3, 2, 8, 16]] as const) {
      s++;
      const x = () => tf.tensor4d(rand(2 * H * H * C, s), [2, H, H, C]);
      const w = () => tf.tensor4d(rand(K * K * C * F, s + 1), [K, K, C, F]);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad, 'NHWC', 1, 'ceil')));
      for (const [name, f] of [['forward', () => tf.conv2d(x(), w(), stride, pad, 'NHWC', 1, 'ceil')], ['input gradient', () => tf.grads(loss)([x(), w()])[0]!], ['filter gradient', () => tf.grads(loss)([x(), w()])[1]!]] as const) {
        const want = await stock('cpu', f);
        const got = await fast(backend, f);
        assert.ok(relErr(got, want) < TOL, `${name} ${K}x${K} stride ${stride} pad ${pad} 'ceil' on ${H}x${H}x${C}: rel err ${relErr(got, want)}`);
      }
    }
  });
}
