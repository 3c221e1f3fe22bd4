// One-kernel gradients for Relu, Relu6, ClipByValue, LeakyRelu, Tanh and Sigmoid: the stock
// gradients run Step + Multiply, LessEqual + Step + Multiply + Multiply, GreaterEqual + LessEqual +
// LogicalAnd + ZerosLike + Select, Greater + Multiply + Select, Square + Sub + Multiply and Sub +
// Multiply + Multiply, each with its own full-size temporary. The fused kernels give the same values (the same
// float32 multiply, the same selection) on cpu and wasm; other backends keep the stock gradients.
// Also here: relu's gradient with its bias sum in one pass (for relu convolutions, wasm), and Mean's
// gradient without the stock one's full-size tensor of ones.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers the stock gradients when it loads: load it first, so that ours come after.
import '@tensorflow/tfjs-layers';
import type { GradConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { addrOf, heapOf, memoryBoundOnThreads, runOverItems, withScratch } from './wasm-heap';
import { simd, type SimdJob } from './simd/runtime';
import { elementwiseOnThreads } from './gemm';
import { simdReluGradSum } from './sum-leading';
import { reductionBlocks } from './elementwise';

export const RELU_GRAD = 'GlasswingReluGrad';
/**
 * Relu's gradient and its sum over every axis but the last, as two outputs: a relu convolution's
 * masked output gradient and its bias gradient (wasm only; the same bits as RELU_GRAD then Sum).
 */
export const RELU_GRAD_BIAS = 'GlasswingReluGradBias';
const RELU6_GRAD = 'GlasswingRelu6Grad';
const CLIP_GRAD = 'GlasswingClipGrad';
const LEAKY_RELU_GRAD = 'GlasswingLeakyReluGrad';
const TANH_GRAD = 'GlasswingTanhGrad';
const SIGMOID_GRAD = 'GlasswingSigmoidGrad';
/** relu, relu6, clip and leaky read the op's input (x); tanh and sigmoid its output (passed as x). */
type Kind = 'relu' | 'relu6' | 'clip' | 'leaky' | 'tanh' | 'sigmoid';

/** The gradient of one value (JS, for small tensors; relu's have their own loop): the stock gradients' float32 operations. */
function gradValue(kind: Exclude<Kind, 'relu' | 'relu6'>, g: number, v: number, attrs: NamedAttrMap | undefined): number {
  switch (kind) {
    case 'clip': return v >= (attrs!.clipValueMin as number) && v <= (attrs!.clipValueMax as number) ? g : 0;
    case 'leaky': return v > 0 ? g : Math.fround(g * Math.fround(attrs!.alpha as number));
    case 'tanh': return Math.fround(g * Math.fround(1 - Math.fround(v * v)));
    case 'sigmoid': return Math.fround(g * Math.fround(v * Math.fround(1 - v)));
  }
}

function cpuKernel(kind: Kind): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const dy = b.data.get(inputs.dy!.dataId).values as Float32Array, x = b.data.get(inputs.x!.dataId).values as Float32Array;
    if (x.length >= 65536) {
      // Large: SIMD on the shared arena's threads (a JS loop branches on every sign: ~15 ns a value).
      const rt = simd();
      rt.reset();
      const pd = rt.put(dy), px = rt.put(x), py = rt.alloc(x.length);
      const n = x.length;
      gradOnThreads(kind, pd, px, n, py, attrs);
      const out = new Float32Array(n);
      out.set(rt.view(py, n));
      return b.makeTensorInfo(inputs.x!.shape, 'float32', out);
    }
    const out = new Float32Array(x.length);
    if (kind === 'relu' || kind === 'relu6') {
      const hi = kind === 'relu6' ? 6 : Infinity;
      for (let i = 0; i < x.length; i++) { const v = x[i]!; out[i] = dy[i]! * (v !== v ? v : v > 0 && v <= hi ? 1 : 0); }
    } else {
      for (let i = 0; i < x.length; i++) out[i] = gradValue(kind, dy[i]!, x[i]!, attrs);
    }
    return b.makeTensorInfo(inputs.x!.shape, 'float32', out);
  };
}

/** The gradient of `n` values at addresses dy and x into y, split over the kernel threads. */
function gradOnThreads(kind: Kind, dy: number, x: number, n: number, y: number, attrs: NamedAttrMap | undefined): void {
  elementwiseOnThreads(simd(), n, (o, len) => gradJob(kind, dy + o, x + o, len, y + o, attrs));
}

/** The SIMD kernel call computing the gradient of n values at addresses dy and x into y. */
function gradJob(kind: Kind, dy: number, x: number, n: number, y: number, attrs: NamedAttrMap | undefined): SimdJob {
  switch (kind) {
    case 'clip': return { fn: 'clipGrad', args: [dy, x, n, attrs!.clipValueMin as number, attrs!.clipValueMax as number, y] };
    case 'leaky': return { fn: 'leakyReluGrad', args: [dy, x, n, attrs!.alpha as number, y] };
    case 'tanh': case 'sigmoid': return { fn: 'outputGrad', args: [dy, x, n, kind === 'tanh' ? 0 : 1, y] };
    default: return { fn: 'reluGrad', args: [dy, x, n, kind === 'relu6' ? 6 : Infinity, y] };
  }
}

function wasmKernel(kind: Kind): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const heap = heapOf(b)!;
    const out = b.makeOutput(inputs.x!.shape, 'float32');
    const n = tf.util.sizeFromShape(inputs.x!.shape);
    const [dy, x, y] = [inputs.dy!, inputs.x!, out].map((t: TensorInfo) => addrOf(b, t)) as [number, number, number];
    if (memoryBoundOnThreads(b, n)) {
      simd().reset();
      gradOnThreads(kind, dy, x, n, y, attrs);
    } else {
      const job = gradJob(kind, dy, x, n, y, attrs);
      (heap[job.fn] as (...a: number[]) => void)(...job.args);
    }
    return out;
  };
}

/** RELU_GRAD_BIAS on wasm, summing each chunk of rows as Sum would (threaded chunks or one float64 pass). */
const reluGradBiasWasm: KernelFunc = ({ inputs, backend }) => {
  const b = backend as BackendWasm;
  const heap = heapOf(b)!;
  const shape = inputs.x!.shape, cols = shape[shape.length - 1]!, n = tf.util.sizeFromShape(shape), rows = n / cols;
  const out = b.makeOutput(shape, 'float32'), db = b.makeOutput([cols], 'float32');
  const [dy, x, y] = [inputs.dy!, inputs.x!, out].map((t: TensorInfo) => addrOf(b, t)) as [number, number, number];
  if (memoryBoundOnThreads(b, n)) {
    const sums = simdReluGradSum(dy, x, rows, cols, y);
    (b.typedArrayFromHeap(db) as Float32Array).set(sums);
  } else {
    heap.reluGrad(dy, x, n, Infinity, y);
    withScratch(b, heap.sumScratch(cols) * 8, (acc) => heap.sumLeading(y, rows, cols, addrOf(b, db), acc));
  }
  return [out, db];
};

/** The stock gradients replaced (kept for fallbacks and for unregistering); null when not registered. */
let stockGrads: Map<string, GradConfig> | null = null;
const ours = new Map<string, GradConfig>();

/** The fused gradient kernels exist for the active backend, for these float32 tensors. */
function fusedHere(...ts: Tensor[]): boolean {
  if (!stockGrads) return false;
  const b = tf.getBackend();
  return (b === 'cpu' || (b === 'wasm' && heapOf(tf.backend() as BackendWasm) != null)) && ts.every((t) => t.dtype === 'float32');
}

/** A one-kernel gradient for `kernelName`, from its input x (or, `fromOutput`, its output y, handed to the kernel as x). */
function fusedConfig(kernelName: 'Relu' | 'Relu6' | 'ClipByValue' | 'LeakyRelu' | 'Tanh' | 'Sigmoid', kernel: string, fromOutput = false): GradConfig {
  return {
    kernelName,
    ...(fromOutput ? { outputsToSave: [true] } : { inputsToSave: ['x'] }),
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as Tensor[];
      if (!fusedHere(dy as Tensor, x!)) return stockGrads!.get(kernelName)!.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(kernel, { dy: dy as Tensor, x: x! }, attrs as NamedAttrMap) as Tensor };
    },
  };
}

const EXTREMUM_GRAD = 'GlasswingExtremumGrad';

/** x's shape as [A, R, B] around contiguous reduction axes (R their product; the last axis too), or null for other axes. */
function middleAxis(shape: number[], axes: number[]): [number, number, number] | null {
  const blocks = reductionBlocks(shape, axes, true);
  return blocks && [blocks.outer, blocks.rows, blocks.cols];
}

/**
 * The gradient of Max or Min (global max pooling: [N, H, W, C] → [N, C]) in one kernel: the stock one
 * broadcasts y against x through Equal (wasm's general broadcast: 196 ms of a 239 ms step for a
 * 32x32x64 batch of 32), casts and multiplies. dy goes to every x equal to the extremum, 0 elsewhere.
 */
function extremumConfig(kernelName: 'Max' | 'Min'): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, y] = saved as Tensor[];
      const axes = tf.util.parseAxisParam((attrs.reductionIndices ?? attrs.axis) as number | number[], x!.shape);
      if (!fusedHere(dy as Tensor, x!) || !middleAxis(x!.shape, axes)) return stockGrads!.get(kernelName)!.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(EXTREMUM_GRAD, { dy: dy as Tensor, x: x!, y: y! }, { axes } as unknown as NamedAttrMap) as Tensor };
    },
  };
}

const extremumCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as MathBackendCPU;
  const [A, R, B] = middleAxis(inputs.x!.shape, attrs!.axes as number[])!;
  const v = (t: TensorInfo): Float32Array => b.data.get(t.dataId).values as Float32Array;
  const x = v(inputs.x!), y = v(inputs.y!), dy = v(inputs.dy!);
  const out = new Float32Array(x.length);
  for (let a = 0; a < A; a++) for (let r = 0; r < R; r++) for (let j = 0, o = (a * R + r) * B; j < B; j++) if (x[o + j] === y[a * B + j]) out[o + j] = dy[a * B + j]!;
  return b.makeTensorInfo(inputs.x!.shape, 'float32', out);
};

const extremumWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as BackendWasm;
  const [A, R, B] = middleAxis(inputs.x!.shape, attrs!.axes as number[])!;
  const out = b.makeOutput(inputs.x!.shape, 'float32');
  runOverItems(b, 'extremumGrad', [addrOf(b, inputs.x!), addrOf(b, inputs.y!), addrOf(b, inputs.dy!), R, B, addrOf(b, out)], A, A * R * B);
  return out;
};

/**
 * Mean's gradient as dy / n broadcast to the input's shape (a Tile of the small tensor): the stock
 * gradient multiplies dy by a full-size tensor of ones made in JS, then divides the full-size
 * product. Same bits (dy * 1 is dy), two full-size passes and an upload fewer.
 */
const meanConfig: GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as Tensor[];
    if (!fusedHere(dy as Tensor, x!)) return stockGrads!.get('Mean')!.gradFunc(dy, saved, attrs);
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x!.shape);
    const reduceSize = axes.reduce((p, a) => p * x!.shape[a]!, 1);
    const expanded = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    return { x: () => tf.broadcastTo(tf.div(tf.reshape(dy as Tensor, expanded), reduceSize), x!.shape) };
  },
};

/**
 * Registers the fused gradient kernels and routes the Relu, Relu6, ClipByValue, LeakyRelu, Tanh, Sigmoid, Mean, Max and Min gradients through them.
 * Idempotent; registers again if something re-registered the stock gradients since (tfjs-core's
 * register_all_gradients module does, when imported).
 */
export function registerFusedGradients(): void {
  for (const [name, kind] of [[RELU_GRAD, 'relu'], [RELU6_GRAD, 'relu6'], [CLIP_GRAD, 'clip'], [LEAKY_RELU_GRAD, 'leaky'], [TANH_GRAD, 'tanh'], [SIGMOID_GRAD, 'sigmoid']] as const) {
    if (!tf.getKernel(name, 'cpu')) tf.registerKernel({ kernelName: name, backendName: 'cpu', kernelFunc: cpuKernel(kind) });
    if (!tf.getKernel(name, 'wasm')) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: wasmKernel(kind) });
  }
  if (!tf.getKernel(EXTREMUM_GRAD, 'cpu')) tf.registerKernel({ kernelName: EXTREMUM_GRAD, backendName: 'cpu', kernelFunc: extremumCpu });
  if (!tf.getKernel(EXTREMUM_GRAD, 'wasm')) tf.registerKernel({ kernelName: EXTREMUM_GRAD, backendName: 'wasm', kernelFunc: extremumWasm });
  if (!tf.getKernel(RELU_GRAD_BIAS, 'wasm')) tf.registerKernel({ kernelName: RELU_GRAD_BIAS, backendName: 'wasm', kernelFunc: reluGradBiasWasm });
  if (ours.size === 0) {
    ours.set('Relu', fusedConfig('Relu', RELU_GRAD));
    ours.set('Relu6', fusedConfig('Relu6', RELU6_GRAD));
    ours.set('ClipByValue', fusedConfig('ClipByValue', CLIP_GRAD));
    ours.set('LeakyRelu', fusedConfig('LeakyRelu', LEAKY_RELU_GRAD));
    ours.set('Tanh', fusedConfig('Tanh', TANH_GRAD, true));
    ours.set('Sigmoid', fusedConfig('Sigmoid', SIGMOID_GRAD, true));
    ours.set('Mean', meanConfig);
    ours.set('Max', extremumConfig('Max'));
    ours.set('Min', extremumConfig('Min'));
  }
  for (const [name, cfg] of ours) {
    const current = tf.getGradient(name);
    if (!current || current === cfg) continue;
    stockGrads ??= new Map();
    stockGrads.set(name, current);
    tf.registerGradient(cfg);
  }
}

/** Puts the stock gradients back. */
export function unregisterFusedGradients(): void {
  if (!stockGrads) return;
  for (const [name, cfg] of stockGrads) {
    tf.unregisterGradient(name);
    tf.registerGradient(cfg);
  }
  stockGrads = null;
}
