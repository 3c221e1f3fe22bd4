// Depthwise convolution kernels (forward, fused, both gradients) against the stock TF.js kernels on
// random shapes, strides, paddings, dilations and channel multipliers, on the cpu and wasm backends.
// The stock gradient kernels ignore dilation, so dilated gradients are checked against a direct
// (naive) evaluation of the definition instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../backends';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { fast, rand, randInt, relErr, stock } from './test-util';

const TOL = 1e-4;
const PADS = ['same', 'valid', 'explicit'] as const;
type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case { N: number; H: number; W: number; C: number; M: number; KH: number; KW: number; s: number; d: number; pad: Pad; seed: number }

function makeCase(seed: number, dilated: boolean): Case {
  const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, seed * 89 + k);
  const s = dilated ? 1 : r(1, 2, 1);
  const d = dilated ? 2 : r(1, 2, 2) === 2 && s === 1 ? 2 : 1;
  const KH = r(1, 3, 3), KW = r(1, 3, 4);
  const kind = PADS[r(0, 2, 5)]!;
  const pad = kind === 'explicit' ? [[0, 0], [r(0, 1, 6), r(0, 1, 7)], [r(0, 1, 8), r(0, 1, 9)], [0, 0]] as Pad : kind;
  return { N: r(1, 3, 10), H: r(KH * d, 9, 11), W: r(KW * d, 9, 12), C: r(1, 9, 13), M: r(1, 3, 14) === 3 ? r(2, 4, 15) : 1, KH, KW, s, d, pad, seed };
}

const xOf = (c: Case) => tf.tensor4d(rand(c.N * c.H * c.W * c.C, c.seed), [c.N, c.H, c.W, c.C]);
const wOf = (c: Case) => tf.tensor4d(rand(c.KH * c.KW * c.C * c.M, c.seed + 1), [c.KH, c.KW, c.C, c.M]);
const fwd = (c: Case) => () => tf.depthwiseConv2d(xOf(c), wOf(c), c.s, c.pad, 'NHWC', c.d);
const outShape = (c: Case): number[] => tf.tidy(() => fwd(c)().shape);
const attrs = (c: Case) => ({ strides: [c.s, c.s], pad: c.pad, dilations: [c.d, c.d], dimRoundingMode: undefined }) as unknown as tf.NamedAttrMap;

/** dx and dw straight from the definition y[n,oy,ox,c*M+q] = sum x[n, oy*s - pt + ky*d, ox*s - pl + kx*d, c] * w[ky,kx,c,q]. */
function naiveGrads(c: Case, ys: number[], padTop: number, padLeft: number, x: Float32Array, w: Float32Array, dy: Float32Array): { dx: Float32Array; dw: Float32Array } {
  const [, OH, OW] = ys as [number, number, number, number];
  const dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  const CM = c.C * c.M;
  for (let n = 0; n < c.N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let ky = 0; ky < c.KH; ky++) for (let kx = 0; kx < c.KW; kx++) {
    const iy = oy * c.s - padTop + ky * c.d, ix = ox * c.s - padLeft + kx * c.d;
    if (iy < 0 || iy >= c.H || ix < 0 || ix >= c.W) continue;
    for (let ch = 0; ch < c.C; ch++) for (let q = 0; q < c.M; q++) {
      const g = dy[((n * OH + oy) * OW + ox) * CM + ch * c.M + q]!;
      const xi = ((n * c.H + iy) * c.W + ix) * c.C + ch, wi = ((ky * c.KW + kx) * c.C + ch) * c.M + q;
      dx[xi]! += g * w[wi]!;
      dw[wi]! += g * x[xi]!;
    }
  }
  return { dx, dw };
}

for (const backend of ['cpu', 'wasm']) {
  test(`DepthwiseConv2dNative and FusedDepthwiseConv2D match stock (${backend})`, async () => {
    // MobileNet's 3x3 layers (the register-blocked path: 4-channel multiples, stride 1 and 2, 'same'
    // and 'valid' after explicit padding), then random geometries.
    const mobile: Case[] = [
      { N: 2, H: 9, W: 8, C: 16, M: 1, KH: 3, KW: 3, s: 1, d: 1, pad: 'same', seed: 101 },
      { N: 1, H: 10, W: 11, C: 24, M: 1, KH: 3, KW: 3, s: 2, d: 1, pad: [[0, 0], [0, 1], [0, 1], [0, 0]], seed: 102 },
      { N: 2, H: 7, W: 7, C: 12, M: 1, KH: 3, KW: 3, s: 2, d: 1, pad: 'valid', seed: 103 },
      { N: 1, H: 5, W: 6, C: 8, M: 1, KH: 3, KW: 3, s: 1, d: 1, pad: [[0, 0], [2, 1], [1, 2], [0, 0]], seed: 104 },
    ];
    for (let s = 1; s <= 24 + mobile.length; s++) {
      const c = s > 24 ? mobile[s - 25]! : makeCase(s, s % 4 === 0);
      const want = await stock('cpu', fwd(c));
      const got = await fast(backend, fwd(c));
      assert.ok(relErr(got, want) < TOL, `forward, case ${JSON.stringify(c)}: rel err ${relErr(got, want)}`);
      const act = (['linear', 'relu', 'relu6'] as const)[s % 3]!;
      const fused = () => tf.fused.depthwiseConv2d({ x: tf.mul(xOf(c), 8) as tf.Tensor4D, filter: wOf(c), strides: c.s, pad: c.pad as 'same', dilations: c.d, bias: tf.tensor1d(rand(c.C * c.M, s + 9)), activation: act });
      const wantF = await stock('cpu', fused);
      const gotF = await fast(backend, fused);
      assert.ok(relErr(gotF, wantF) < TOL, `fused ${act}, case ${JSON.stringify(c)}: rel err ${relErr(gotF, wantF)}`);
    }
  });

  test(`depthwise gradients match stock, and the definition when dilated (${backend})`, async () => {
    for (let s = 30; s <= 55; s++) {
      const c = makeCase(s, s % 5 === 0);
      const ys = outShape(c);
      const dyv = rand(ys.reduce((p, q) => p * q, 1), s + 7);
      const dy = () => tf.tensor(dyv, ys);
      const bpi = () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: wOf(c) }, { ...attrs(c), inputShape: [c.N, c.H, c.W, c.C] }) as tf.Tensor;
      const bpf = () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xOf(c), dy: dy() }, { ...attrs(c), filterShape: [c.KH, c.KW, c.C, c.M] }) as tf.Tensor;
      let wantI: Float32Array, wantF: Float32Array;
      if (c.d === 1) {
        wantI = await stock('cpu', bpi);
        wantF = await stock('cpu', bpf);
      } else {
        const info = tf.backend_util.computeConv2DInfo([c.N, c.H, c.W, c.C], [c.KH, c.KW, c.C, c.M], c.s, c.d, c.pad, undefined, true);
        ({ dx: wantI, dw: wantF } = naiveGrads(c, ys, info.padInfo.top, info.padInfo.left, xOf(c).dataSync() as Float32Array, wOf(c).dataSync() as Float32Array, dyv));
      }
      const gotI = await fast(backend, bpi), gotF = await fast(backend, bpf);
      assert.ok(relErr(gotI, wantI) < TOL, `input gradient, case ${JSON.stringify(c)}: rel err ${relErr(gotI, wantI)}`);
      assert.ok(relErr(gotF, wantF) < TOL, `filter gradient, case ${JSON.stringify(c)}: rel err ${relErr(gotF, wantF)}`);
    }
  });

  test(`depthwise convolution gradients through tf.grads match stock (${backend})`, async () => {
    const c: Case = { N: 2, H: 12, W: 11, C: 8, M: 1, KH: 3, KW: 3, s: 2, d: 1, pad: 'same', seed: 77 };
    const g = (which: 0 | 1) => () => tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')))))([xOf(c), wOf(c)])[which]!;
    for (const which of [0, 1] as const) {
      const want = await stock('cpu', g(which));
      const got = await fast(backend, g(which));
      assert.ok(relErr(got, want) < TOL, `grad ${which}: rel err ${relErr(got, want)}`);
    }
  });
}
