// Training, a tfjs-layers BatchNormalization layer normalizes by the batch's statistics through
// tf.moments and tf.batchNorm: about twenty full-size ops forward and backward per layer (on wasm a
// Keras-style CIFAR CNN with four such layers spent ~45 ms of a 147 ms step there; PyTorch ~9). While
// the fast kernels are registered, such layers (channels last, with scale and center, float32, on
// cpu and on wasm with a shared heap) call one op instead, GlasswingBatchNormTrain (batch-norm.ts),
// whose gradient is one more op; the moving mean and variance are updated as tfjs-layers does.
// Inference, and any other configuration, keeps tfjs-layers' own code.
import * as tf from '@tensorflow/tfjs-core';
import { layerCallPatch, singleInput } from '../../compute/layer-patch';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { simd } from './simd/runtime';
import { addrOf, tensorsInPlace } from './wasm-heap';
import { batchNormTrain, batchNormTrainGrad } from './batch-norm';
import { newTensors, tensorValues } from './backend-tensors';

export const BATCH_NORM_TRAIN = 'GlasswingBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'GlasswingBatchNormTrainGrad';

interface LayerVariable { read(): Tensor; write(v: Tensor): void }
interface BatchNormLayer {
  axis: number;
  epsilon: number;
  momentum: number;
  gamma: LayerVariable | null;
  beta: LayerVariable | null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/** Whether this call can take the one-op path: training, the last axis, scale and center, float32 on cpu or on wasm with its tensors in the kernels' memory. */
function takesFusedPath(layer: BatchNormLayer, x: Tensor, training: boolean): boolean {
  if (!training || x.dtype !== 'float32' || x.rank < 2 || !layer.gamma || !layer.beta) return false;
  if (layer.axis !== -1 && layer.axis !== x.rank - 1) return false;
  const b = tf.getBackend();
  return (b === 'cpu' || (b === 'wasm' && tensorsInPlace(tf.backend() as BackendWasm))) && tf.getKernel(BATCH_NORM_TRAIN, b) != null;
}

/** variable ← variable − (variable − value)·(1 − momentum): tfjs-layers' moving average, op for op. */
function movingAverage(variable: LayerVariable, value: Tensor, momentum: number): void {
  tf.tidy(() => {
    const orig = variable.read();
    variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - momentum)));
  });
}

const patch = layerCallPatch('BatchNormalization', (stock) => function (this: BatchNormLayer, inputs, kwargs) {
  const x = singleInput(inputs);
  if (!x || !takesFusedPath(this, x, kwargs?.['training'] === true)) return stock.call(this, inputs, kwargs);
  return tf.tidy(() => {
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma: this.gamma!.read(), beta: this.beta!.read() },
      { epsilon: this.epsilon } as unknown as NamedAttrMap) as Tensor[];
    movingAverage(this.movingMean, mean!, this.momentum);
    movingAverage(this.movingVariance, variance!, this.momentum);
    return y!;
  });
});

/** Routes training BatchNormalization layers through the one op (on), or puts tfjs-layers' code back (off). */
export function patchBatchNormLayer(on: boolean): void {
  if (on) registerBatchNormTrain();
  patch(on);
}

/**
 * Runs `compute` over full-size tensors (shape `shape`, read at kernel-memory addresses) and small
 * per-channel ones (copied into JS), its full-size result written at `out`; returns that result and
 * the per-channel vectors `compute` gives, as tensors of the backend: in place on wasm's heap,
 * through the kernels' arena on cpu.
 */
function runOnBackend(backend: unknown, shape: number[], full: TensorInfo[], small: TensorInfo[],
  compute: (addrs: number[], small: Float32Array[], out: number) => Float32Array[]): TensorInfo[] {
  const rt = simd();
  rt.reset();
  const n = tf.util.sizeFromShape(shape);
  if (tf.getBackend() === 'wasm') {
    const b = backend as BackendWasm;
    const out = b.makeOutput(shape, 'float32');
    const vectors = compute(full.map((t) => addrOf(b, t)), small.map((t) => Float32Array.from(tensorValues(b, t))), addrOf(b, out));
    return [out, ...newTensors(b, vectors.map((v) => [[v.length], v]))];
  }
  const out = rt.alloc(n);
  const vectors = compute(full.map((t) => rt.put(tensorValues(backend, t))), small.map((t) => tensorValues(backend, t)), out);
  return newTensors(backend, [[shape, rt.view(out, n).slice()], ...vectors.map((v): [number[], Float32Array] => [[v.length], v])]);
}

/** The channel count and rows of a channels-last shape. */
const channels = (shape: number[]): { C: number; rows: number } => {
  const C = shape[shape.length - 1]!;
  return { C, rows: tf.util.sizeFromShape(shape) / C };
};

/** [y, mean, variance] for x, gamma, beta. */
const forwardKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
  const { C, rows } = channels(x!.shape);
  return runOnBackend(backend, x!.shape, [x!], [gamma!, beta!], ([px], [g, b], py) => {
    const stats = batchNormTrain(px!, rows, C, g!, b!, attrs!['epsilon'] as number, py);
    return [stats.mean, stats.variance];
  });
};

/** [dx, dgamma, dbeta] for dy, x, mean, variance, gamma and the gradients of the mean and variance outputs. */
const gradKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, mean, variance, gamma, dmean, dvariance } = inputs as Record<string, TensorInfo>;
  const { C, rows } = channels(x!.shape);
  return runOnBackend(backend, x!.shape, [dy!, x!], [mean!, variance!, gamma!, dmean!, dvariance!], ([pdy, px], [m, v, g, dm, dv], pdx) => {
    const grads = batchNormTrainGrad(pdy!, px!, rows, C, { mean: m!, variance: v! }, g!, attrs!['epsilon'] as number, dm!, dv!, pdx);
    return [grads.dgamma, grads.dbeta];
  });
};

let registered = false;

function registerBatchNormTrain(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm']) {
    tf.registerKernel({ kernelName: BATCH_NORM_TRAIN, backendName, kernelFunc: forwardKernel });
    tf.registerKernel({ kernelName: BATCH_NORM_TRAIN_GRAD, backendName, kernelFunc: gradKernel });
  }
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ['x', 'gamma'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as Tensor[];
      const [x, gamma, mean, variance] = saved as Tensor[];
      const [dx, dgamma, dbeta] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy: dy!, x: x!, mean: mean!, variance: variance!, gamma: gamma!, dmean: dmean!, dvariance: dvariance! }, attrs) as Tensor[];
      return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
}
