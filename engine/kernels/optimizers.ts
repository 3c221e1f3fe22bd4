// Fused optimizer updates: one kernel per variable instead of the 4-12 element-wise kernels (and as
// many temporaries) the stock Adam, momentum and RMSProp optimizers run, on the cpu and wasm
// backends. Each fused kernel does the stock float32 operations in the stock order, so the weights
// are bit-for-bit those of the stock optimizer (tested). webgpu has its own Adam
// (compute/webgpu-adam.ts); other backends, and RMSProp's centred and momentum's Nesterov variants,
// keep the stock code.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedTensorMap, TensorInfo } from '@tensorflow/tfjs-core';
import { allFloat32, fusedAdamStep, optimizerEntries, patchApplyGradients, zerosVariable, type AdamState, type Grads } from '../../compute/optimizer-patch';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { simd } from './simd/runtime';
import { elementwiseOnThreads } from './gemm';
import { heapOf, memoryBoundOnThreads, wasmHeapMemory } from './wasm-heap';

type Kind = 'adam' | 'momentum' | 'rmsprop';
const KERNEL: Record<Kind, string> = { adam: 'GlasswingAdam', momentum: 'GlasswingMomentum', rmsprop: 'GlasswingRMSProp' };
/** State inputs (after value and gradient) and float attributes of each kernel, in argument order. */
const STATE: Record<Kind, string[]> = { adam: ['m', 'v'], momentum: ['acc'], rmsprop: ['ms', 'mom'] };
const ATTRS: Record<Kind, string[]> = {
  adam: ['b1', 'omb1', 'b2', 'omb2', 'c1', 'c2', 'eps', 'neglr'],
  momentum: ['mom', 'neglr'],
  rmsprop: ['decay', 'omd', 'momentum', 'lr', 'eps'],
};

/**
 * The arguments every update kernel takes — value, its state, gradient, count, new value, new state,
 * attributes — for `n` values starting `o` bytes into each array (byte addresses).
 */
function updateArgs(value: number, state: number[], g: number, outs: number[], attrs: number[], o: number, n: number): number[] {
  return [value + o, ...state.map((p) => p + o), g + o, n, ...outs.map((p) => p + o), ...attrs];
}

/** The update of `n` values at the given addresses, split by element ranges over the kernel threads. */
function updateOnThreads(kind: Kind, value: number, state: number[], g: number, n: number, outs: number[], attrs: number[]): void {
  elementwiseOnThreads(simd(), n, (o, len) => ({ fn: kind, args: updateArgs(value, state, g, outs, attrs, o, len) }));
}

function wasmKernel(kind: Kind): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as BackendWasm;
    const value = inputs.value!, g = inputs.g!;
    const state = STATE[kind].map((s) => inputs[s]!);
    const n = tf.util.sizeFromShape(value.shape);
    const outs = [value, ...state].map((t) => b.makeOutput(t.shape, 'float32'));
    const addr = (t: TensorInfo): number => (b.typedArrayFromHeap(t) as Float32Array).byteOffset;
    const a = ATTRS[kind].map((k) => attrs![k] as number);
    // In place on the backend's heap: operands and results are already there.
    if (memoryBoundOnThreads(b, n)) {
      simd().reset();
      updateOnThreads(kind, addr(value), state.map(addr), addr(g), n, outs.map(addr), a);
    } else {
      (heapOf(b)![kind] as (...args: number[]) => void)(...updateArgs(addr(value), state.map(addr), addr(g), outs.map(addr), a, 0, n));
    }
    return outs;
  };
}

function cpuKernel(kind: Kind): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as MathBackendCPU;
    const vals = (t: TensorInfo): Float32Array => b.data.get(t.dataId).values as Float32Array;
    const value = inputs.value!, g = inputs.g!;
    const state = STATE[kind].map((s) => inputs[s]!);
    const n = tf.util.sizeFromShape(value.shape);
    const rt = simd();
    rt.reset();
    const pv = rt.put(vals(value)), pg = rt.put(vals(g)), ps = state.map((t) => rt.put(vals(t)));
    const po = [value, ...state].map(() => rt.alloc(n));
    updateOnThreads(kind, pv, ps, pg, n, po, ATTRS[kind].map((k) => attrs![k] as number));
    return [value, ...state].map((t, i) => {
      const out = new Float32Array(n);
      out.set(rt.view(po[i]!, n));
      return b.makeTensorInfo(t.shape, 'float32', out);
    });
  };
}

let registered = false;
let enabled = true;

/** The fused update kernels exist for the active backend (and are switched on). */
function fusedHere(): boolean {
  if (!enabled) return false;
  const b = tf.getBackend();
  return b === 'cpu' || (b === 'wasm' && wasmHeapMemory(tf.backend() as BackendWasm) != null);
}

/** Registers the fused update kernels and routes Adam, momentum and RMSProp through them. */
export function registerFusedOptimizers(): void {
  if (registered) return;
  registered = true;
  for (const kind of ['adam', 'momentum', 'rmsprop'] as Kind[]) {
    tf.registerKernel({ kernelName: KERNEL[kind], backendName: 'cpu', kernelFunc: cpuKernel(kind) });
    tf.registerKernel({ kernelName: KERNEL[kind], backendName: 'wasm', kernelFunc: wasmKernel(kind) });
  }
  patchApplyGradients(tf.AdamOptimizer.prototype, adamApply);
  patchApplyGradients(tf.MomentumOptimizer.prototype, momentumApply);
  patchApplyGradients(tf.RMSPropOptimizer.prototype, rmspropApply);
}

/** For comparisons and tests: the stock optimizer code (false) or the fused kernels (true). */
export function setFusedOptimizers(on: boolean): void {
  enabled = on;
}

const f32 = Math.fround;
const runUpdate = (kind: Kind, inputs: NamedTensorMap, attrs: Record<string, number>): tf.Tensor[] =>
  tf.engine().runKernel(KERNEL[kind], inputs, attrs) as unknown as tf.Tensor[];

function adamApply(this: AdamState, original: (v: Grads) => void, grads: Grads): void {
  if (!fusedHere() || !allFloat32(grads)) return original.call(this, grads);
  fusedAdamStep(this, grads, () => {
    // 1 - beta^t as the stock optimizer computes it: a float32 subtraction of the float32 power.
    const c1 = f32(1 - this.accBeta1.dataSync()[0]!), c2 = f32(1 - this.accBeta2.dataSync()[0]!);
    const attrs = { b1: this.beta1, omb1: 1 - this.beta1, b2: this.beta2, omb2: 1 - this.beta2, c1, c2, eps: this.epsilon, neglr: -this.learningRate };
    return (value, m, v, g) => runUpdate('adam', { value, m, v, g }, attrs);
  });
}

interface MomentumState { momentum: number; useNesterov: boolean; learningRate: number; accumulations: { originalName: string; variable: tf.Variable }[]; incrementIterations(): void }

function momentumApply(this: MomentumState, original: (v: Grads) => void, grads: Grads): void {
  if (!fusedHere() || this.useNesterov || !allFloat32(grads)) return original.call(this, grads);
  const attrs = { mom: this.momentum, neglr: -this.learningRate };
  tf.tidy(() => {
    optimizerEntries(grads).forEach(({ name, grad }, i) => {
      const value = tf.engine().registeredVariables[name]!;
      this.accumulations[i] ??= { originalName: `${name}/momentum`, variable: zerosVariable(value) };
      if (grad == null) return;
      const acc = this.accumulations[i]!.variable;
      const [nv, na] = runUpdate('momentum', { value, acc, g: grad }, attrs);
      acc.assign(na!);
      value.assign(nv!);
    });
  });
  this.incrementIterations();
}

interface RmsState { decay: number; momentum: number; epsilon: number; learningRate: number; centered: boolean;
  accumulatedMeanSquares: { originalName: string; variable: tf.Variable }[]; accumulatedMoments: { originalName: string; variable: tf.Variable }[]; incrementIterations(): void }

function rmspropApply(this: RmsState, original: (v: Grads) => void, grads: Grads): void {
  if (!fusedHere() || this.centered || !allFloat32(grads)) return original.call(this, grads);
  const attrs = { decay: this.decay, omd: 1 - this.decay, momentum: this.momentum, lr: this.learningRate, eps: this.epsilon };
  tf.tidy(() => {
    optimizerEntries(grads).forEach(({ name, grad }, i) => {
      const value = tf.engine().registeredVariables[name]!;
      this.accumulatedMeanSquares[i] ??= { originalName: `${name}/rms`, variable: zerosVariable(value) };
      this.accumulatedMoments[i] ??= { originalName: `${name}/momentum`, variable: zerosVariable(value) };
      if (grad == null) return;
      const ms = this.accumulatedMeanSquares[i]!.variable, mom = this.accumulatedMoments[i]!.variable;
      const [nv, nms, nmom] = runUpdate('rmsprop', { value, ms, mom, g: grad }, attrs);
      ms.assign(nms!);
      mom.assign(nmom!);
      value.assign(nv!);
    });
  });
  this.incrementIterations();
}
