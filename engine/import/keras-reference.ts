// An independent forward pass for imported Keras models: plain float64 JavaScript loops over the
// layer graph and the weights exactly as read from the file, one example at a time. It shares
// nothing with TF.js (no kernels, no config deserialisation, no weight loading), so when TF.js's
// outputs match it, the config mapping and the weight order are right. It is written for
// clarity, not speed, and covers the layer types Keras image classifiers are made of; a model
// with any other layer is reported as not checked.
import type { LayerGraph } from '../../common/model/graph';
import { topologicalOrder } from '../../common/model/graph';
import type { KerasWeight } from './keras-builder';

interface T {
  /** Without the batch. */
  shape: number[];
  data: Float64Array;
}

const SUPPORTED = new Set([
  'InputLayer', 'Dense', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'BatchNormalization', 'MaxPooling2D', 'AveragePooling2D',
  'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten', 'Reshape', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout',
  'AlphaDropout', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'Rescaling', 'ZeroPadding2D', 'Cropping2D', 'Add', 'Multiply',
  'Average', 'Maximum', 'Minimum', 'Concatenate',
]);

/** The layer types this reference computes; null when it computes all of `graph`. */
export function referenceGap(graph: LayerGraph): string | null {
  const missing = [...new Set(graph.layers.map((l) => l.className).filter((c) => !SUPPORTED.has(c)))];
  return missing.length ? missing.join(', ') : null;
}

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 is only good to 1.5e-7; this series/continued fraction pair is
  // good to ~1e-15, so GELU here is not the weak link.
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = x;
    let term = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz)
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = 1 / d;
    c = ax + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
  return x > 0 ? 1 - erfc : erfc - 1;
}

function activate(t: T, name: unknown): T {
  const n = String(name ?? 'linear').replace(/_/g, '').toLowerCase();
  const d = t.data;
  const map = (f: (v: number) => number): T => ({ shape: t.shape, data: d.map(f) });
  switch (n) {
    case 'linear': return t;
    case 'relu': return map((v) => Math.max(0, v));
    case 'relu6': return map((v) => Math.min(6, Math.max(0, v)));
    case 'sigmoid': return map((v) => 1 / (1 + Math.exp(-v)));
    case 'tanh': return map(Math.tanh);
    case 'elu': return map((v) => (v > 0 ? v : Math.exp(v) - 1));
    case 'selu': return map((v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1)));
    case 'softplus': return map((v) => Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0));
    case 'softsign': return map((v) => v / (1 + Math.abs(v)));
    case 'swish': return map((v) => v / (1 + Math.exp(-v)));
    case 'mish': return map((v) => v * Math.tanh(Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0)));
    case 'gelu': return map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
    case 'hardsigmoid': return map((v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)));
    case 'softmax':
    case 'logsoftmax': {
      const k = t.shape[t.shape.length - 1]!;
      const out = new Float64Array(d.length);
      for (let s = 0; s < d.length; s += k) {
        let max = -Infinity;
        for (let i = 0; i < k; i++) max = Math.max(max, d[s + i]!);
        let sum = 0;
        for (let i = 0; i < k; i++) sum += Math.exp(d[s + i]! - max);
        for (let i = 0; i < k; i++) out[s + i] = n === 'softmax' ? Math.exp(d[s + i]! - max) / sum : d[s + i]! - max - Math.log(sum);
      }
      return { shape: t.shape, data: out };
    }
    default:
      throw new Error(`the reference has no activation "${String(name)}"`);
  }
}

function pair(v: unknown, fallback: [number, number]): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length >= 2) return [Number(v[0]), Number(v[1])];
  return fallback;
}

/** TensorFlow's 'same': output ceil(n/s), the odd pixel of padding at the end. */
function padsFor(padding: unknown, size: number, k: number, s: number, dil = 1): [number, number, number] {
  if (padding === 'same') {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + (k - 1) * dil + 1 - size, 0);
    return [Math.floor(total / 2), out, total];
  }
  return [0, Math.floor((size - ((k - 1) * dil + 1)) / s) + 1, 0];
}

/** Conv2D / DepthwiseConv2D core. kernel [kh, kw, cin, cout] (or [kh, kw, c, mult] when depthwise). */
function conv(x: T, kernel: KerasWeight, strides: [number, number], padding: unknown, dil: [number, number], depthwise: boolean): T {
  const [h, w, c] = x.shape as [number, number, number];
  const [kh, kw, , k3] = kernel.shape as [number, number, number, number];
  const [pt, oh] = padsFor(padding, h, kh, strides[0], dil[0]);
  const [pl, ow] = padsFor(padding, w, kw, strides[1], dil[1]);
  const cout = depthwise ? c * k3 : k3;
  const out = new Float64Array(oh * ow * cout);
  const K = kernel.data;
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const o = (oy * ow + ox) * cout;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * strides[0] + ky * dil[0] - pt;
      if (iy < 0 || iy >= h) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * strides[1] + kx * dil[1] - pl;
        if (ix < 0 || ix >= w) continue;
        const xi = (iy * w + ix) * c;
        const kb = (ky * kw + kx) * c * k3;
        if (depthwise) {
          for (let ch = 0; ch < c; ch++) for (let m = 0; m < k3; m++) out[o + ch * k3 + m]! += x.data[xi + ch]! * K[kb + ch * k3 + m]!;
        } else {
          for (let ch = 0; ch < c; ch++) {
            const v = x.data[xi + ch]!;
            const kr = kb + ch * k3;
            for (let f = 0; f < k3; f++) out[o + f]! += v * K[kr + f]!;
          }
        }
      }
    }
  }
  return { shape: [oh, ow, cout], data: out };
}

function addBias(t: T, bias: KerasWeight | undefined): T {
  if (!bias) return t;
  const k = bias.data.length;
  return { shape: t.shape, data: t.data.map((v, i) => v + bias.data[i % k]!) };
}

function pool(x: T, size: [number, number], strides: [number, number], padding: unknown, max: boolean): T {
  const [h, w, c] = x.shape as [number, number, number];
  const [pt, oh] = padsFor(padding, h, size[0], strides[0]);
  const [pl, ow] = padsFor(padding, w, size[1], strides[1]);
  const out = new Float64Array(oh * ow * c);
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let ch = 0; ch < c; ch++) {
    let acc = max ? -Infinity : 0;
    let n = 0;
    for (let ky = 0; ky < size[0]; ky++) for (let kx = 0; kx < size[1]; kx++) {
      const iy = oy * strides[0] + ky - pt;
      const ix = ox * strides[1] + kx - pl;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue; // TF: padding takes no part
      const v = x.data[(iy * w + ix) * c + ch]!;
      acc = max ? Math.max(acc, v) : acc + v;
      n++;
    }
    out[(oy * ow + ox) * c + ch] = max ? acc : acc / n;
  }
  return { shape: [oh, ow, c], data: out };
}

function layerForward(className: string, config: Record<string, unknown>, inputs: T[], weights: KerasWeight[]): T {
  const x = inputs[0]!;
  const c = (key: string) => config[key];
  switch (className) {
    case 'Dense': {
      const [k, m] = weights[0]!.shape as [number, number];
      const rows = x.data.length / k;
      const out = new Float64Array(rows * m);
      for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) {
        const v = x.data[r * k + i]!;
        for (let j = 0; j < m; j++) out[r * m + j]! += v * weights[0]!.data[i * m + j]!;
      }
      const y = c('use_bias') === false ? { shape: [...x.shape.slice(0, -1), m], data: out } : addBias({ shape: [...x.shape.slice(0, -1), m], data: out }, weights[1]);
      return activate(y, c('activation'));
    }
    case 'Conv2D': {
      const y = conv(x, weights[0]!, pair(c('strides'), [1, 1]), c('padding'), pair(c('dilation_rate'), [1, 1]), false);
      return activate(c('use_bias') === false ? y : addBias(y, weights[1]), c('activation'));
    }
    case 'DepthwiseConv2D': {
      const y = conv(x, weights[0]!, pair(c('strides'), [1, 1]), c('padding'), pair(c('dilation_rate'), [1, 1]), true);
      return activate(c('use_bias') === false ? y : addBias(y, weights[1]), c('activation'));
    }
    case 'SeparableConv2D': {
      const depth = conv(x, weights[0]!, pair(c('strides'), [1, 1]), c('padding'), pair(c('dilation_rate'), [1, 1]), true);
      const point = conv(depth, weights[1]!, [1, 1], 'valid', [1, 1], false);
      return activate(c('use_bias') === false ? point : addBias(point, weights[2]), c('activation'));
    }
    case 'BatchNormalization': {
      let i = 0;
      const gamma = c('scale') === false ? null : weights[i++]!;
      const beta = c('center') === false ? null : weights[i++]!;
      const mean = weights[i++]!;
      const variance = weights[i++]!;
      const eps = Number(c('epsilon') ?? 1e-3);
      const k = mean.data.length;
      const axis = Number(c('axis') ?? -1);
      if (axis !== -1 && axis !== x.shape.length) throw new Error('the reference normalises the last axis only');
      return { shape: x.shape, data: x.data.map((v, j) => ((v - mean.data[j % k]!) / Math.sqrt(variance.data[j % k]! + eps)) * (gamma ? gamma.data[j % k]! : 1) + (beta ? beta.data[j % k]! : 0)) };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const size = pair(c('pool_size'), [2, 2]);
      return pool(x, size, c('strides') == null ? size : pair(c('strides'), size), c('padding'), className === 'MaxPooling2D');
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': {
      const [h, w, ch] = x.shape as [number, number, number];
      const out = new Float64Array(ch).fill(className === 'GlobalMaxPooling2D' ? -Infinity : 0);
      for (let p = 0; p < h * w; p++) for (let k = 0; k < ch; k++) out[k] = className === 'GlobalMaxPooling2D' ? Math.max(out[k]!, x.data[p * ch + k]!) : out[k]! + x.data[p * ch + k]! / (h * w);
      return { shape: [ch], data: out };
    }
    case 'Flatten':
      return { shape: [x.data.length], data: x.data };
    case 'Reshape': {
      const target = (c('target_shape') as number[]).map(Number);
      const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      return { shape: target.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data };
    }
    case 'Dropout': case 'SpatialDropout1D': case 'GaussianNoise': case 'GaussianDropout': case 'AlphaDropout':
      return x; // identities at inference
    case 'Activation':
      return activate(x, c('activation'));
    case 'ReLU': {
      const max = c('max_value') == null ? Infinity : Number(c('max_value'));
      return { shape: x.shape, data: x.data.map((v) => Math.min(max, Math.max(0, v))) };
    }
    case 'LeakyReLU': {
      const alpha = Number(c('alpha') ?? 0.3);
      return { shape: x.shape, data: x.data.map((v) => (v > 0 ? v : alpha * v)) };
    }
    case 'ELU': {
      const alpha = Number(c('alpha') ?? 1);
      return { shape: x.shape, data: x.data.map((v) => (v > 0 ? v : alpha * (Math.exp(v) - 1))) };
    }
    case 'Softmax':
      return activate(x, 'softmax');
    case 'Rescaling': {
      const scale = Number(c('scale'));
      const offset = Number(c('offset') ?? 0);
      return { shape: x.shape, data: x.data.map((v) => v * scale + offset) };
    }
    case 'ZeroPadding2D':
    case 'Cropping2D': {
      const spec = c(className === 'ZeroPadding2D' ? 'padding' : 'cropping');
      const [[t, b], [l, r]] = typeof spec === 'number' ? [[spec, spec], [spec, spec]] : Array.isArray(spec) && typeof spec[0] === 'number' ? [[spec[0], spec[0]], [spec[1], spec[1]]] : (spec as [[number, number], [number, number]]);
      const [h, w, ch] = x.shape as [number, number, number];
      const sign = className === 'ZeroPadding2D' ? 1 : -1;
      const [oh, ow] = [h + sign * (t + b), w + sign * (l + r)];
      const out = new Float64Array(oh * ow * ch);
      for (let y = 0; y < oh; y++) for (let z = 0; z < ow; z++) {
        const [iy, iz] = [y - sign * t, z - sign * l];
        if (iy < 0 || iy >= h || iz < 0 || iz >= w) continue;
        for (let k = 0; k < ch; k++) out[(y * ow + z) * ch + k] = x.data[(iy * w + iz) * ch + k]!;
      }
      return { shape: [oh, ow, ch], data: out };
    }
    case 'Add': case 'Multiply': case 'Average': case 'Maximum': case 'Minimum': {
      const f = { Add: (a: number, b: number) => a + b, Multiply: (a: number, b: number) => a * b, Average: (a: number, b: number) => a + b, Maximum: Math.max, Minimum: Math.min }[className]!;
      for (const i of inputs) if (i.data.length !== x.data.length) throw new Error('the reference merges equal shapes only');
      const data = x.data.map((v, j) => inputs.slice(1).reduce((acc, i) => f(acc, i.data[j]!), v));
      return { shape: x.shape, data: className === 'Average' ? data.map((v) => v / inputs.length) : data };
    }
    case 'Concatenate': {
      const rank = x.shape.length;
      const axis = ((a: number) => (a < 0 ? a + rank : a - 1))(Number(c('axis') ?? -1));
      const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const shape = [...x.shape];
      shape[axis] = inputs.reduce((s, i) => s + i.shape[axis]!, 0);
      const out = new Float64Array(inputs.reduce((s, i) => s + i.data.length, 0));
      let o = 0;
      for (let a = 0; a < outer; a++) for (const i of inputs) {
        const chunk = i.data.length / outer;
        out.set(i.data.subarray(a * chunk, (a + 1) * chunk), o);
        o += chunk;
      }
      return { shape, data: out };
    }
    default:
      throw new Error(`the reference has no ${className}`);
  }
}

/** Runs `count` examples (row-major, channels-last) through the graph; returns the first output. */
export function referenceForward(graph: LayerGraph, weights: Map<string, KerasWeight[]>, x: Float32Array, count: number, inputShape: number[]): Float64Array {
  const order = topologicalOrder(graph);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const outputs: number[] = [];
  for (let e = 0; e < count; e++) {
    const values = new Map<string, T>();
    for (const layer of order) {
      if (layer.className === 'InputLayer') {
        values.set(layer.name, { shape: inputShape, data: Float64Array.from(x.subarray(e * size, (e + 1) * size)) });
        continue;
      }
      const ins = layer.inbound.map((n) => values.get(n)!);
      values.set(layer.name, layerForward(layer.className, layer.config, ins, weights.get(layer.name) ?? []));
    }
    outputs.push(...values.get(graph.outputs[0]!)!.data);
  }
  return Float64Array.from(outputs);
}
