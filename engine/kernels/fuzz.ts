// The kernel fuzzer: random layers of realistic size through the fast kernels (cpu and wasm, 1-3
// threads) against TF.js's stock cpu kernels, as a user's models and an attacker's inputs would
// reach them. Three kinds of case, each seeded: a convolution's passes (forward fused with an
// activation, both gradients, a depthwise convolution's gradients, pooling gradients, a matrix
// product), the other kernels (broadcast arithmetic, activations, reductions, their gradients,
// tile/slice/pad, fused products, batch normalization), and one SGD step of a random small Keras
// model (convolutions, batch normalization, pooling, depthwise and separable convolutions, dense
// layers). It found six wrong results the unit tests' shapes missed; each has a unit test now.
// `npm run fuzz:kernels` runs it at full size, kernel-fuzz.test.ts a few seeds of each in CI.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { fast, rand, randInt, relErr, stock } from './test-util';
import { kernelThreads, registerFastKernels, setKernelThreads, unregisterFastKernels } from './index';

const TOL = 1e-4;

export interface FuzzReport { checks: number; failures: string[] }

class Checker {
  checks = 0;
  failures: string[] = [];
  constructor(private readonly log: (line: string) => void) {}

  /**
   * f on `backend` with the fast kernels against stock cpu; cases stock cannot run are skipped.
   * `scaleOf`: the values whose largest magnitude the error is measured against (a fused
   * activation's input: relu6 or sigmoid squeeze a convolution's 50 to 6 or 1, and would judge its
   * rounding 10-50 times more strictly than the same convolution without them).
   */
  async compare(name: string, f: () => tf.Tensor, backend: string, info: unknown, scaleOf?: () => tf.Tensor): Promise<void> {
    let want: Float32Array, scale = 0;
    try {
      want = await stock('cpu', f);
      if (scaleOf) for (const v of await stock('cpu', scaleOf)) scale = Math.max(scale, Math.abs(v));
    } catch {
      return;
    }
    this.checks++;
    try {
      const got = await fast(backend, f);
      // relErr is the largest difference over max(largest |want|, 1e-3): rescaled to `scale` where given.
      const largest = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const e = relErr(got, want) * (scale > 0 ? Math.max(largest, 1e-3) / Math.max(scale, largest, 1e-3) : 1);
      if (!(e < TOL)) this.fail(`${name} on ${backend}: rel err ${e} ${JSON.stringify(info)}`);
    } catch (e) {
      this.fail(`${name} on ${backend} threw ${String(e).slice(0, 200)} ${JSON.stringify(info)}`);
    }
  }

  fail(line: string): void {
    this.failures.push(line);
    this.log(`FAIL ${line}`);
  }
}

type Rand = (lo: number, hi: number, k: number) => number;
const rng = (seed: number, salt: number): Rand => (lo, hi, k) => randInt(lo, hi, seed * salt + k);
type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** One convolution's passes, a depthwise convolution's and a pooling's gradients, a matrix product. */
async function convCase(c: Checker, s: number): Promise<void> {
  const r = rng(s, 131);
  const K = [1, 2, 3, 3, 3, 4, 5, 5, 7][r(0, 8, 1)]!, KW = r(0, 4, 2) === 0 ? [1, 3, 5][r(0, 2, 3)]! : K;
  const stride = [1, 1, 2, 2, 3][r(0, 4, 4)]!;
  const dil = stride === 1 && r(0, 4, 5) === 0 ? 2 : 1;
  const C = [1, 3, 4, 8, 16, 17, 24, 32, 48, 64, 96][r(0, 10, 6)]!, F = [1, 5, 8, 16, 20, 32, 64, 100, 128][r(0, 8, 7)]!;
  const H = r(Math.max(K * dil, 4), 40, 8), W = r(Math.max(KW * dil, 4), 40, 9), N = r(1, 6, 10);
  const pk = r(0, 2, 11);
  const pad: Pad = pk === 0 ? 'same' : pk === 1 ? 'valid' : [[0, 0], [r(0, 3, 12), r(0, 3, 13)], [r(0, 3, 14), r(0, 3, 15)], [0, 0]];
  const act = (['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'prelu', 'sigmoid'] as const)[r(0, 6, 16)]!;
  setKernelThreads(r(1, 3, 17));
  const backend = r(0, 1, 18) ? 'wasm' : 'cpu';
  const info = { N, H, W, C, F, K, KW, stride, dil, pad, act, threads: kernelThreads(), seed: s };
  const ys = tf.tidy(() => tf.conv2d(tf.zeros([N, H, W, C]) as tf.Tensor4D, tf.zeros([K, KW, C, F]) as tf.Tensor4D, stride, pad, 'NHWC', dil)).shape;
  const x = () => tf.tensor4d(rand(N * H * W * C, s), [N, H, W, C]);
  const w = () => tf.tensor4d(rand(K * KW * C * F, s + 1), [K, KW, C, F]);
  const fused = (activation: typeof act) => () => tf.fused.conv2d({
    x: x(), filter: w(), strides: stride, pad, dilations: dil, bias: tf.tensor1d(rand(F, s + 5)), activation, leakyreluAlpha: 0.2,
    preluActivationWeights: activation === 'prelu' ? tf.tensor1d(rand(F, s + 9)) : undefined,
  });
  await c.compare('fused conv2d', fused(act), backend, info, fused('linear'));
  if (dil === 1) {
    const dy = () => tf.tensor(rand(ys.reduce((p, q) => p * q, 1), s + 7), ys);
    const attrs = { strides: [stride, stride], pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
    await c.compare('Conv2DBackpropInput', () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dy(), filter: w() }, { ...attrs, inputShape: [N, H, W, C] }) as tf.Tensor, backend, info);
    await c.compare('Conv2DBackpropFilter', () => tf.engine().runKernel('Conv2DBackpropFilter', { x: x(), dy: dy() }, { ...attrs, filterShape: [K, KW, C, F] }) as tf.Tensor, backend, info);
    const mult = r(1, 2, 19);
    const dw = () => tf.tensor4d(rand(K * KW * C * mult, s + 3), [K, KW, C, mult]);
    await c.compare('depthwise gradients', () => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pk === 2 ? 'same' : pad as 'same'))))([x(), dw()]);
      return tf.concat([tf.reshape(gx!, [-1]), tf.reshape(gw!, [-1])]);
    }, backend, { ...info, mult });
  }
  const pool = r(2, 3, 20), ps = r(1, 3, 21);
  if (H >= pool && W >= pool) {
    await c.compare('pooling gradients', () => tf.grads((a: tf.Tensor) => tf.add(
      tf.sum(tf.square(tf.maxPool(a as tf.Tensor4D, pool, ps, pk === 0 ? 'same' : 'valid'))),
      tf.sum(tf.square(tf.avgPool(a as tf.Tensor4D, pool, ps, pk === 0 ? 'same' : 'valid')))))([x()])[0]!, backend, { ...info, pool, ps });
  }
  const M = r(1, 70, 22), Kd = r(1, 300, 23), Nd = r(1, 130, 24), ta = r(0, 1, 25) === 1, tb = r(0, 1, 26) === 1;
  await c.compare('matMul', () => tf.matMul(tf.tensor2d(rand(M * Kd, s + 11), ta ? [Kd, M] : [M, Kd]), tf.tensor2d(rand(Kd * Nd, s + 12), tb ? [Nd, Kd] : [Kd, Nd]), ta, tb), backend, { M, Kd, Nd, ta, tb, seed: s });
}

/** Element-wise kernels with broadcasting, reductions, their gradients, copies, fused products, batch normalization. */
async function opsCase(c: Checker, s: number): Promise<void> {
  const r = rng(s, 977);
  setKernelThreads(r(1, 3, 1));
  const backend = r(0, 1, 2) ? 'wasm' : 'cpu';
  const rank = r(1, 4, 3), big = r(0, 1, 4) === 1;
  const shape = Array.from({ length: rank }, (_, i) => r(1, big ? [64_000, 40, 24, 16][rank - 1]! : 9, 10 + i));
  const n = shape.reduce((p, q) => p * q, 1);
  const bshape = shape.map((d, i) => (r(0, 2, 20 + i) === 0 ? 1 : d)).slice(r(0, rank - 1, 30));
  const x = () => tf.tensor(rand(n, s), shape);
  const y = () => tf.tensor(rand(bshape.reduce((p, q) => p * q, 1), s + 1), bshape);
  const info = { shape, bshape, seed: s };
  for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum', 'squaredDifference'] as const) {
    await c.compare(op, () => tf[op](x(), y()), backend, info);
    await c.compare(`${op} (broadcast first)`, () => tf[op](y(), x()), backend, info);
  }
  await c.compare('div', () => tf.div(x(), tf.add(tf.abs(y()), 0.5)), backend, info);
  for (const op of ['relu', 'relu6', 'step', 'square', 'neg', 'tanh', 'sigmoid'] as const) await c.compare(op, () => tf[op](tf.mul(x(), 8)), backend, info);
  await c.compare('sqrt', () => tf.sqrt(tf.abs(x())), backend, info);
  await c.compare('leakyRelu', () => tf.leakyRelu(x(), 0.15), backend, info);
  await c.compare('clipByValue', () => tf.clipByValue(x(), -0.3, 0.6), backend, info);
  const axes = [...Array(rank).keys()].filter((i) => r(0, 1, 40 + i));
  const keep = r(0, 1, 50) === 1;
  for (const op of ['sum', 'mean', 'max', 'min'] as const) await c.compare(op, () => tf[op](x(), axes.length ? axes : undefined, keep), backend, { ...info, axes, keep });
  await c.compare('gradients', () => tf.grads((a: tf.Tensor) => tf.add(
    tf.add(tf.sum(tf.mul(tf.relu(a), tf.relu6(tf.mul(a, 7)))), tf.sum(tf.tanh(tf.leakyRelu(a, 0.2)))),
    tf.add(tf.sum(tf.square(tf.mean(tf.sigmoid(a), axes.length ? axes : undefined, keep))), tf.sum(tf.max(tf.clipByValue(a, -0.5, 0.5), axes.length ? axes : undefined)))))([x()])[0]!, backend, { ...info, axes });
  const reps = shape.map((_, i) => r(1, 3, 60 + i));
  if (n * reps.reduce((p, q) => p * q, 1) < 2e6) await c.compare('tile', () => tf.tile(x(), reps), backend, { ...info, reps });
  const begin = shape.map((d, i) => r(0, d - 1, 70 + i)), size = shape.map((d, i) => r(1, d - begin[i]!, 80 + i));
  await c.compare('slice', () => tf.slice(x(), begin, size), backend, { ...info, begin, size });
  const pads = shape.map((_, i) => [r(0, 2, 90 + i), r(0, 2, 95 + i)] as [number, number]);
  await c.compare('pad', () => tf.pad(x(), pads, 0.5), backend, { ...info, pads });
  const M = r(1, 90, 100), K = r(1, 300, 101), N = r(1, 140, 102), B = r(1, 4, 103), ta = r(0, 1, 104) === 1, tb = r(0, 1, 105) === 1, bb = r(0, 1, 106) ? B : 1;
  await c.compare('batched matMul', () => tf.matMul(tf.tensor3d(rand(B * M * K, s + 2), ta ? [B, K, M] : [B, M, K]), tf.tensor3d(rand(bb * K * N, s + 3), tb ? [bb, N, K] : [bb, K, N]), ta, tb), backend, { M, K, N, B, bb, ta, tb, seed: s });
  const act = (['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const)[r(0, 6, 107)]!;
  await c.compare(`fused matMul ${act}`, () => tf.fused.matMul({
    a: tf.tensor2d(rand(M * K, s + 4), ta ? [K, M] : [M, K]), b: tf.tensor2d(rand(K * N, s + 5), tb ? [N, K] : [K, N]), transposeA: ta, transposeB: tb,
    bias: r(0, 1, 108) ? tf.tensor1d(rand(N, s + 6)) : undefined, activation: act, leakyreluAlpha: 0.1, preluActivationWeights: act === 'prelu' ? tf.tensor1d(rand(N, s + 7)) : undefined,
  }), backend, { M, K, N, ta, tb, act, seed: s });
  const [bn, bh, bw, bc] = [r(1, 8, 110), r(1, 20, 111), r(1, 20, 112), r(1, 70, 113)];
  const x4 = () => tf.tensor4d(rand(bn * bh * bw * bc, s + 8), [bn, bh, bw, bc]);
  const vec = (k: number) => tf.tensor1d(rand(bc, s + k));
  await c.compare('batchNorm', () => tf.batchNorm(x4(), vec(9), tf.add(tf.abs(vec(10)), 0.1), vec(11), vec(12), 1e-3), backend, { bn, bh, bw, bc, seed: s });
  await c.compare('batchNorm gradients', () => {
    const g = tf.grads((a: tf.Tensor, scale: tf.Tensor) => {
      const m = tf.moments(a, [0, 1, 2]);
      return tf.sum(tf.square(tf.batchNorm(a, m.mean, m.variance, vec(11), scale, 1e-3)));
    })([x4(), vec(12)]);
    return tf.concat([tf.reshape(g[0]!, [-1]), tf.reshape(g[1]!, [-1])]);
  }, backend, { bn, bh, bw, bc, seed: s });
}

/** A random small Keras model for seed s (convolutions, normalization, pooling, dense layers). */
function randomModel(s: number): { model: tfl.Sequential; input: number[]; layers: string[] } {
  const r = rng(s, 1009);
  const H = r(8, 24, 1), W = r(8, 24, 2), C = r(1, 4, 3);
  const m = tfl.sequential();
  const layers: string[] = [`input ${H}x${W}x${C}`];
  let first = true, k = 10, lastHasBias = false;
  const input = () => (first ? ((first = false), { inputShape: [H, W, C] }) : {});
  const acts = ['relu', 'linear', 'tanh', 'sigmoid', 'elu', 'relu6', 'selu', 'softplus'] as const;
  const count = r(2, 6, 4);
  for (let i = 0; i < count; i++) {
    const [h, w] = first ? [H, W] : (m.outputs[0]!.shape.slice(1, 3) as number[]);
    if (h! < 3 || w! < 3) break;
    const kind = r(0, 9, k++), act = acts[r(0, acts.length - 1, k++)]!;
    const ks = r(1, Math.min(5, h!, w!), k++), st = r(1, 2, k++), pad = r(0, 1, k++) ? 'same' : 'valid';
    const dil = st === 1 && r(0, 3, k++) === 0 && h! >= 2 * ks && w! >= 2 * ks ? 2 : 1;
    const hadBias = lastHasBias;
    lastHasBias = false;
    if (kind <= 3) {
      const f = r(1, 24, k++), useBias = r(0, 3, k++) > 0;
      m.add(tfl.layers.conv2d({ filters: f, kernelSize: ks, strides: st, padding: pad, dilationRate: dil, activation: act, useBias, ...input() }));
      layers.push(`conv ${ks}x${ks}/${st} dilation ${dil} ${pad} ${f} ${act}${useBias ? '' : ' no bias'}`);
      lastHasBias = useBias && act === 'linear';
    } else if (kind === 4) {
      // A bias right before batch normalization has no gradient but rounding, which differs by
      // backend: a leaky relu between them gives it one.
      if (hadBias) m.add(tfl.layers.leakyReLU({ alpha: 0.1 }));
      m.add(tfl.layers.batchNormalization({ ...input() }));
      layers.push(hadBias ? 'leaky relu > batch norm' : 'batch norm');
    } else if (kind === 5) {
      // Average pooling: max pooling's gradient goes to one of two nearly equal values, and which one
      // can differ by backend in rounding (sigmoid's last bit on wasm and cpu); the convolution and
      // other-kernel cases test max pooling's gradient on identical inputs.
      const size = r(2, 3, k++);
      m.add(tfl.layers.averagePooling2d({ poolSize: size, strides: st, padding: pad, ...input() }));
      layers.push(`average pool ${size}/${st} ${pad}`);
    } else if (kind === 6) {
      m.add(tfl.layers.depthwiseConv2d({ kernelSize: ks, strides: st, padding: pad, depthMultiplier: r(1, 2, k++), activation: act, ...input() }));
      layers.push(`depthwise ${ks}x${ks}/${st} ${pad} ${act}`);
      lastHasBias = act === 'linear';
    } else if (kind === 7) {
      m.add(tfl.layers.separableConv2d({ filters: r(2, 16, k++), kernelSize: ks, strides: st, padding: pad, activation: act, ...input() }));
      layers.push(`separable ${ks}x${ks}/${st} ${pad} ${act}`);
      lastHasBias = act === 'linear';
    } else if (kind === 8) {
      m.add(tfl.layers.leakyReLU({ alpha: 0.1, ...input() }));
      layers.push('leaky relu');
    } else {
      m.add(tfl.layers.zeroPadding2d({ padding: 1, ...input() }));
      layers.push('zero padding');
    }
  }
  m.add(first ? tfl.layers.flatten({ inputShape: [H, W, C] }) : r(0, 1, k++) ? tfl.layers.flatten({}) : tfl.layers.globalAveragePooling2d({}));
  if (r(0, 1, k++)) {
    m.add(tfl.layers.dense({ units: r(4, 32, k++), activation: acts[r(0, acts.length - 1, k++)]! }));
    layers.push('dense');
  }
  m.add(tfl.layers.dense({ units: 5, activation: 'softmax' }));
  return { model: m, input: [H, W, C], layers };
}

/** One SGD step of model s on `backend`: the loss and each weight's change. */
async function sgdStep(s: number, backend: string, useFast: boolean, init: Float32Array[] | null): Promise<{ loss: number; deltas: Float32Array[]; init: Float32Array[]; layers: string[] }> {
  if (useFast) registerFastKernels();
  else unregisterFastKernels();
  try {
    await tf.setBackend(backend);
    const { model, input, layers } = randomModel(s);
    const weights = init ?? model.getWeights().map((w, i) => rand(w.size, s * 31 + i).map((v) => (model.weights[i]!.name.includes('variance') ? 0.2 + Math.abs(v) : v * 0.3)));
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i]!, w.shape)));
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.tensor(rand(6 * input.reduce((p, q) => p * q, 1), s + 5), [6, ...input]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), 5);
    const loss = (await model.trainOnBatch(x, y)) as number;
    const deltas = model.getWeights().map((w, i) => (w.dataSync() as Float32Array).map((v, j) => v - weights[i]![j]!));
    tf.dispose([x, y]);
    model.dispose();
    return { loss, deltas, init: weights, layers };
  } finally {
    registerFastKernels();
  }
}

async function modelCase(c: Checker, s: number): Promise<void> {
  setKernelThreads(randInt(1, 3, s));
  let ref;
  try {
    ref = await sgdStep(s, 'cpu', false, null);
  } catch {
    return;
  }
  for (const backend of ['cpu', 'wasm']) {
    c.checks++;
    try {
      const got = await sgdStep(s, backend, true, ref.init);
      const lossErr = Math.abs(got.loss - ref.loss) / Math.max(1, Math.abs(ref.loss));
      const deltaErr = Math.max(...got.deltas.map((d, i) => relErr(d, ref.deltas[i]!)));
      // 1% for the weights' change: one ReLU input within rounding of 0 on one backend and not on
      // the other moves one gradient value (0.3% of a layer's change seen); wrong kernels give more.
      if (!(lossErr < TOL && deltaErr < 1e-2)) c.fail(`model ${s} on ${backend}: loss rel err ${lossErr}, weight change rel err ${deltaErr} (${ref.layers.join(' > ')})`);
    } catch (e) {
      c.fail(`model ${s} on ${backend} threw ${String(e).slice(0, 200)} (${ref.layers.join(' > ')})`);
    }
  }
}

export interface FuzzOptions { seed: number; convCases: number; opCases: number; models: number; log?: (line: string) => void }

/** Runs the three kinds of case from `seed` on; the kernel threads are restored afterwards. */
export async function fuzzKernels(o: FuzzOptions): Promise<FuzzReport> {
  const log = o.log ?? (() => {});
  const c = new Checker(log);
  const threads = kernelThreads();
  await tf.setBackend('cpu');
  try {
    for (const [kind, cases, run] of [['convolutions', o.convCases, convCase], ['other kernels', o.opCases, opsCase], ['models', o.models, modelCase]] as const) {
      const start = Date.now();
      for (let i = 0; i < cases; i++) await run(c, o.seed + i);
      log(`${kind}: ${cases} cases done (${Math.round((Date.now() - start) / 1000)} s); ${c.checks} checks, ${c.failures.length} failures so far`);
    }
  } finally {
    setKernelThreads(threads);
  }
  return { checks: c.checks, failures: c.failures };
}
