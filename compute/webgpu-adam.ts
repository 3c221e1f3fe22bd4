// Adam on the webgpu backend in 3 GPU dispatches per weight instead of the stock optimizer's 14
// element-wise kernels. A GPU training step of a small or mid-size network is bound by dispatches,
// not arithmetic: on an NVIDIA H200 (through Dawn), LeNet-5's stock step ran ~200 dispatches in
// 28 ms while its forward pass ran 26 in under 1 ms. Each dispatch writes one of new m, new v and
// the new weight (a TF.js WebGPU program has one output; the weight's recomputes m and v, which is
// cheaper than a dispatch). The arithmetic is the stock optimizer's, in its order; bias corrections
// 1 − β^t stay on the GPU as the stock ones do (no read-back). Runs in the page's compute worker and
// wherever else the webgpu backend is registered.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { webgpu_util, type WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { allFloat32, fusedAdamStep, patchApplyGradients, type AdamState, type Grads } from './optimizer-patch';

const KERNEL = 'GlasswingAdamStep';
/** In the order fusedAdamStep takes them: new weight, first moment, second moment. */
const OUTPUTS = ['value', 'm', 'v'] as const;
type Output = (typeof OUTPUTS)[number];

/** One output of the update; `main(index)` is what tfjs-backend-webgpu wraps in its entry point. */
class AdamProgram {
  readonly variableNames = ['W', 'M', 'S', 'G', 'C1', 'C2'];
  readonly uniforms = 'b1 : f32, omb1 : f32, b2 : f32, omb2 : f32, eps : f32, neglr : f32,';
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly shaderKey: string;

  constructor(
    shape: number[],
    private readonly output: Output,
  ) {
    this.outputShape = shape;
    this.dispatchLayout = webgpu_util.flatDispatchLayout(shape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, shape, this.workgroupSize);
    this.shaderKey = `glasswing_adam_${output}`;
  }

  getUserCode(): string {
    // The stock order: m·β1 + g·(1−β1); v·β2 + g²·(1−β2); w + (m̂ / (√v̂ + ε))·(−lr). Every variant
    // reads every input: the bind group layout is derived from the inputs a shader uses.
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let g = G[index];
          let m = M[index] * uniforms.b1 + g * uniforms.omb1;
          let v = S[index] * uniforms.b2 + (g * g) * uniforms.omb2;
          let value = W[index] + (m / C1[0]) / (sqrt(v / C2[0]) + uniforms.eps) * uniforms.neglr;
          setOutputAtIndex(index, ${this.output});
        }
      }
    `;
  }
}

const adamStep: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WebGPUBackend;
  const a = attrs as Record<string, number>;
  const uniforms = ['b1', 'omb1', 'b2', 'omb2', 'eps', 'neglr'].map((k) => ({ type: 'float32', data: [a[k]!] }));
  const ins = ['value', 'm', 'v', 'g', 'c1', 'c2'].map((k) => inputs[k]!);
  return OUTPUTS.map((o) => b.runWebGPUProgram(new AdamProgram(ins[0]!.shape, o), ins, 'float32', uniforms) as TensorInfo);
};

function adamApply(this: AdamState, original: (g: Grads) => void, grads: Grads): void {
  if (!enabled || tf.getBackend() !== 'webgpu' || !allFloat32(grads)) return original.call(this, grads);
  fusedAdamStep(this, grads, () => {
    const c1 = tf.sub(1, this.accBeta1), c2 = tf.sub(1, this.accBeta2);
    const attrs = { b1: this.beta1, omb1: 1 - this.beta1, b2: this.beta2, omb2: 1 - this.beta2, eps: this.epsilon, neglr: -this.learningRate };
    return (value, m, v, g) => tf.engine().runKernel(KERNEL, { value, m, v, g, c1, c2 }, attrs) as unknown as tf.Tensor[];
  });
}

let registered = false;
let enabled = true;

/** Registers the kernel and routes Adam through it whenever webgpu is the active backend. */
export function registerWebGpuAdam(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: KERNEL, backendName: 'webgpu', kernelFunc: adamStep });
  patchApplyGradients(tf.AdamOptimizer.prototype, adamApply);
}

/** For comparisons and tests: the stock optimizer (false) or the fused dispatches (true). */
export function setWebGpuAdam(on: boolean): void {
  enabled = on;
}
