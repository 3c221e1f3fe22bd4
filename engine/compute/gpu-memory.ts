// What a model needs of a GPU at a batch size, estimated from its parameters and activations
// before anything is sent: WebGPU and WebGL cannot say how much memory a card has, but they do
// say the largest single buffer (or texture) they will allocate, and one activation larger than
// that cannot train at all.
import type * as tfl from '@tensorflow/tfjs-layers';

export interface GpuMemoryEstimate {
  /** Weights, gradients and two optimizer slots (Adam), in bytes. */
  parameterBytes: number;
  /** Every layer's output for one batch, kept for the backward pass, and its gradient. */
  activationBytes: number;
  /** The largest single tensor: one layer's output for one batch. */
  largestTensorBytes: number;
  largestLayer: string;
}

const MB = 1024 * 1024;

export function estimateGpuMemory(model: tfl.LayersModel, batchSize: number): GpuMemoryEstimate {
  const parameterBytes = model.countParams() * 4 * 4;
  let activationBytes = 0;
  let largestTensorBytes = 0;
  let largestLayer = '';
  for (const layer of model.layers) {
    const shapes = (Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]) as (number | null)[][];
    for (const shape of shapes) {
      const bytes = shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1) * batchSize * 4;
      activationBytes += bytes * 2;
      if (bytes > largestTensorBytes) {
        largestTensorBytes = bytes;
        largestLayer = layer.name;
      }
    }
  }
  return { parameterBytes, activationBytes, largestTensorBytes, largestLayer };
}

export const formatBytes = (b: number) => (b >= 1024 * MB ? `${(b / 1024 / MB).toFixed(1)} GB` : `${Math.max(1, Math.round(b / MB))} MB`);

/**
 * Why this model cannot train on a backend whose largest buffer is `maxBufferBytes`, with what to
 * change — or null when it fits.
 */
export function gpuFitProblem(e: GpuMemoryEstimate, batchSize: number, maxBufferBytes: number, backend: string): string | null {
  if (!maxBufferBytes || e.largestTensorBytes <= maxBufferBytes) return null;
  const perExample = e.largestTensorBytes / batchSize;
  const fitting = Math.floor(maxBufferBytes / perExample);
  const advice = fitting >= 1 ? `use a batch size of ${2 ** Math.floor(Math.log2(fitting))} or less` : 'make the layer smaller (fewer filters, or pool earlier)';
  return (
    `At batch size ${batchSize}, the output of ${e.largestLayer} is ${formatBytes(e.largestTensorBytes)}; ${backend} on this GPU allocates at most ` +
    `${formatBytes(maxBufferBytes)} in one buffer. To train on the GPU, ${advice}; or train on a CPU backend (wasm), which has no such limit.`
  );
}
