// Grad-CAM, Grad-CAM++ and feature maps checked against an independent computation: a tiny model
// (Conv2D 2@3×3 relu → Flatten → Dense 4 tanh → Dense 3 softmax on a 5×5×1 input) evaluated by a
// hand-written float64 forward pass, with gradients of the PRE-softmax score by central finite
// differences. The same weights as Sequential, Functional and nested-model variants give the same maps.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { seededRandom } from '../../compute/random';
import { computeCam } from './cam/registry';
import { featureMaps, filters } from './feature-maps';
import { splitModel } from './split-model';

before(async () => {
  await useBackend('cpu');
});

const random = seededRandom(7);
const uniform = (n: number, scale: number) => Float64Array.from({ length: n }, () => (random() * 2 - 1) * scale);
const K = uniform(3 * 3 * 1 * 2, 0.8); // [kh, kw, cin, cout]
const KB = Float64Array.from([0.1, 0.05]);
const W1 = uniform(18 * 4, 0.6); // [in, out]
const B1 = uniform(4, 0.2);
const W2 = uniform(4 * 3, 1.2);
const B2 = uniform(3, 0.2);
const X = Float64Array.from({ length: 25 }, () => random());

function conv(x: Float64Array): Float64Array {
  const a = new Float64Array(3 * 3 * 2);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 2; k++) {
    let s = KB[k]!;
    for (let di = 0; di < 3; di++) for (let dj = 0; dj < 3; dj++) s += x[(i + di) * 5 + (j + dj)]! * K[(di * 3 + dj) * 2 + k]!;
    a[(i * 3 + j) * 2 + k] = Math.max(0, s);
  }
  return a;
}

/** The layers after the conv: activations (NHWC, flattened) to logits. */
function tail(a: Float64Array): Float64Array {
  const h = new Float64Array(4);
  for (let u = 0; u < 4; u++) {
    let s = B1[u]!;
    for (let f = 0; f < 18; f++) s += a[f]! * W1[f * 4 + u]!;
    h[u] = Math.tanh(s);
  }
  const z = new Float64Array(3);
  for (let m = 0; m < 3; m++) {
    let s = B2[m]!;
    for (let u = 0; u < 4; u++) s += h[u]! * W2[u * 3 + m]!;
    z[m] = s;
  }
  return z;
}

function finiteDifferenceGrad(a: Float64Array, cls: number, eps = 1e-5): Float64Array {
  const g = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const plus = Float64Array.from(a);
    const minus = Float64Array.from(a);
    plus[i]! += eps;
    minus[i]! -= eps;
    g[i] = (tail(plus)[cls]! - tail(minus)[cls]!) / (2 * eps);
  }
  return g;
}

function referenceCam(a: Float64Array, g: Float64Array, method: 'gradcam' | 'gradcampp'): Float64Array {
  const w = new Float64Array(2);
  for (let k = 0; k < 2; k++) {
    if (method === 'gradcam') {
      for (let p = 0; p < 9; p++) w[k]! += g[p * 2 + k]! / 9;
    } else {
      let sumA = 0;
      for (let p = 0; p < 9; p++) sumA += a[p * 2 + k]!;
      for (let p = 0; p < 9; p++) {
        const gi = g[p * 2 + k]!;
        if (gi === 0) continue;
        w[k]! += (gi * gi / (2 * gi * gi + sumA * gi ** 3 + 1e-6)) * Math.max(gi, 0);
      }
    }
  }
  const cam = new Float64Array(9);
  for (let p = 0; p < 9; p++) cam[p] = Math.max(0, w[0]! * a[p * 2]! + w[1]! * a[p * 2 + 1]!);
  const max = Math.max(...cam);
  return max > 0 ? cam.map((v) => v / max) : cam;
}

function layersList() {
  return [
    tfl.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, activation: 'relu', name: 'conv' }),
    tfl.layers.flatten({ name: 'flat' }),
    tfl.layers.dense({ units: 4, activation: 'tanh', name: 'hidden' }),
    tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
  ];
}

function setWeights(model: tfl.LayersModel) {
  const f32 = (a: Float64Array, shape: number[]) => tf.tensor(Float32Array.from(a), shape);
  const ws = [f32(K, [3, 3, 1, 2]), f32(KB, [2]), f32(W1, [18, 4]), f32(B1, [4]), f32(W2, [4, 3]), f32(B2, [3])];
  model.setWeights(ws);
  tf.dispose(ws);
}

function variants(): { name: string; model: tfl.LayersModel; layer: string }[] {
  const seq = tfl.sequential({ layers: layersList() });
  setWeights(seq);
  const ls = layersList();
  const inp = tfl.input({ shape: [5, 5, 1] });
  let t: tfl.SymbolicTensor = inp;
  for (const l of ls.slice(0, 3)) t = l.apply(t) as tfl.SymbolicTensor;
  // Functional with a softmax Activation layer at the end instead of a softmax Dense.
  const logits = tfl.layers.dense({ units: 3, name: 'out' }).apply(t) as tfl.SymbolicTensor;
  const functional = tfl.model({ inputs: inp, outputs: tfl.layers.activation({ activation: 'softmax', name: 'probs' }).apply(logits) as tfl.SymbolicTensor });
  setWeights(functional);
  const inner = tfl.sequential({ layers: layersList(), name: 'backbone' });
  setWeights(inner);
  const outerIn = tfl.input({ shape: [5, 5, 1] });
  const nested = tfl.model({ inputs: outerIn, outputs: inner.apply(outerIn) as tfl.SymbolicTensor });
  return [
    { name: 'sequential', model: seq, layer: 'conv' },
    { name: 'functional', model: functional, layer: 'conv' },
    { name: 'nested', model: nested, layer: 'backbone/conv' },
  ];
}

test('Grad-CAM and Grad-CAM++ match a float64 reference with finite-difference gradients', () => {
  const a = conv(X);
  const z = tail(a);
  const predicted = z.indexOf(Math.max(...z));
  const input = Float32Array.from(X);
  for (const v of variants()) {
    const before = tf.memory().numTensors;
    // The split's gradients against finite differences, for every class.
    for (let cls = 0; cls < 3; cls++) {
      const g = finiteDifferenceGrad(a, cls);
      const x = tf.tensor(input, [1, 5, 5, 1]);
      const r = splitModel(v.model, v.layer).gradients(x, [cls]);
      const grads = r.grads.dataSync();
      const logits = r.logits.dataSync();
      tf.dispose([x, r.activations, r.grads, r.logits]);
      const scale = Math.max(...g.map(Math.abs));
      for (let i = 0; i < g.length; i++) assert.ok(Math.abs(grads[i]! - g[i]!) <= 1e-5 * scale + 1e-7, `${v.name} grad ${cls}/${i}: ${grads[i]} vs ${g[i]}`);
      for (let m = 0; m < 3; m++) assert.ok(Math.abs(logits[m]! - z[m]!) < 1e-5, `${v.name}: logits are pre-softmax (${logits[m]} vs ${z[m]})`);
      for (const method of ['gradcam', 'gradcampp'] as const) {
        const ref = referenceCam(a, g, method);
        const r2 = computeCam({ model: v.model, input, layer: v.layer, classIndex: cls, method });
        assert.deepEqual(r2.shape, [3, 3]);
        assert.equal(r2.layer, v.layer);
        assert.ok(Math.abs(r2.score - z[cls]!) < 1e-5, 'score is the logit');
        for (let p = 0; p < 9; p++) assert.ok(Math.abs(r2.cam[p]! - ref[p]!) <= 1e-4, `${v.name} ${method} class ${cls} cam[${p}]: ${r2.cam[p]} vs ${ref[p]}`);
      }
    }
    const byDefault = computeCam({ model: v.model, input, layer: v.layer });
    assert.equal(byDefault.classIndex, predicted, 'defaults to the predicted class');
    assert.equal(byDefault.method, 'gradcam');
    // Feature maps: the conv output after ReLU, NHWC row-major.
    const fm = featureMaps(v.model, input, v.layer);
    assert.deepEqual(fm.shape, [3, 3, 2]);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(fm.data[i]! - a[i]!) < 1e-5, `${v.name} feature map ${i}`);
    const dense = featureMaps(v.model, input, v.name === 'nested' ? 'backbone/hidden' : 'hidden');
    assert.deepEqual(dense.shape, [4]);
    const f = filters(v.model, v.layer);
    assert.deepEqual(f.shape, [3, 3, 1, 2]);
    for (let i = 0; i < K.length; i++) assert.ok(Math.abs(f.data[i]! - K[i]!) < 1e-6);
    assert.equal(tf.memory().numTensors, before, `${v.name}: no tensor leaks`);
  }
});

test('the model is left exactly as it was: outputs still softmax, no overrides left behind', () => {
  const [seq] = variants();
  const x = tf.tensor(Float32Array.from(X), [1, 5, 5, 1]);
  const predict = () => tf.tidy(() => (seq!.model.predict(x) as tf.Tensor).dataSync().slice());
  const beforeOut = predict();
  computeCam({ model: seq!.model, input: Float32Array.from(X) });
  const after = predict();
  assert.ok(Math.abs(Array.from(after).reduce((s, v) => s + v, 0) - 1) < 1e-5, 'still sums to 1');
  for (let i = 0; i < 3; i++) assert.equal(after[i], beforeOut[i]);
  for (const l of seq!.model.layers) assert.ok(!Object.prototype.hasOwnProperty.call(l, 'call'), `${l.name} has no own call override`);
  tf.dispose(x);
});
