// tfjs-layers' ReLU layer with maxValue 6 (MobileNetV2's relu6) computes relu(x) and then
// clipByValue(·, 0, 6): two passes over the activations (and, training, two gradients). Relu6 is
// the same function with the same gradient (1 where 0 < x <= 6, else 0, NaN for NaN) in one pass,
// so the layer calls it instead while the fast kernels are registered.
import * as tf from '@tensorflow/tfjs-core';
import { layerCallPatch, singleInput } from '../../compute/layer-patch';

/** Routes ReLU layers with maxValue 6 through the single Relu6 op (on), or puts tfjs-layers' code back (off). */
export const patchRelu6Layer = layerCallPatch('ReLU', (stock) => function (this: { maxValue?: number }, inputs, kwargs) {
  const x = singleInput(inputs);
  if (this.maxValue !== 6 || !x) return stock.call(this, inputs, kwargs);
  return tf.relu6(x);
});
