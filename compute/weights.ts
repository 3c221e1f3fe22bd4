// A model's weights as plain arrays (to send between the engine and a compute worker) and back.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { WeightArray } from './protocol';

/**
 * The model's weights now, as arrays. The tensors are cloned synchronously first, so training may
 * go on (and replace the variables' values) while a GPU backend reads them back.
 */
export async function readWeights(model: tfl.LayersModel): Promise<WeightArray[]> {
  const vars = model.weights;
  const copies = vars.map((w) => tf.clone(w.read()));
  try {
    const values = await Promise.all(copies.map((c) => c.data()));
    return vars.map((w, i) => ({ name: w.originalName, shape: w.shape.map((d) => d ?? 0), values: Float32Array.from(values[i] as Float32Array) }));
  } finally {
    tf.dispose(copies);
  }
}

/** Sets the model's weights from arrays, after checking that they are the model's: same count, same shapes. */
export function writeWeights(model: tfl.LayersModel, weights: WeightArray[]): void {
  const vars = model.weights;
  if (weights.length !== vars.length) throw new Error(`Expected ${vars.length} weight arrays for ${model.name}; got ${weights.length}.`);
  vars.forEach((v, i) => {
    const w = weights[i]!;
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.shape.join('x') !== v.shape.join('x') || w.values.length !== n) {
      throw new Error(`Weight ${i} (${v.originalName}) has shape (${v.shape.join(', ')}); the array given has shape (${w.shape.join(', ')}) and ${w.values.length} values.`);
    }
  });
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}
