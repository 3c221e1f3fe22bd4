// tfjs-layers' ReLU layer with maxValue 6 (MobileNetV2's relu6) computes relu(x) and then
// clipByValue(·, 0, 6): two passes over the activations (and, training, two gradients). Relu6 is
// the same function with the same gradient (1 where 0 < x <= 6, else 0, NaN for NaN) in one pass,
// so the layer calls it instead while the fast kernels are registered.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

type Call = (this: { maxValue?: number }, inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => tf.Tensor | tf.Tensor[];
let original: Call | null = null;

function reluLayerPrototype(): { call: Call } | null {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap['ReLU'] as unknown as [{ prototype: { call: Call } }] | undefined;
  return entry?.[0]?.prototype ?? null;
}

/** Routes ReLU layers with maxValue 6 through the single Relu6 op (on), or puts tfjs-layers' code back (off). */
export function patchRelu6Layer(on: boolean): void {
  const proto = reluLayerPrototype();
  if (!proto) return;
  if (on && !original) {
    const stock = proto.call;
    original = stock;
    proto.call = function (this: { maxValue?: number }, inputs, kwargs) {
      if (this.maxValue !== 6) return stock.call(this, inputs, kwargs);
      if (Array.isArray(inputs) && inputs.length !== 1) return stock.call(this, inputs, kwargs);
      return tf.relu6(Array.isArray(inputs) ? inputs[0]! : inputs);
    };
  } else if (!on && original) {
    proto.call = original;
    original = null;
  }
}
