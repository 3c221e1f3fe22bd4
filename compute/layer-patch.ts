// Routes a tfjs-layers layer class's `call` through other code: faster code while the fast kernels
// are registered, tfjs-layers' own `call` back when they are not (engine/kernels: conv-layer.ts,
// batch-norm-layer.ts, dropout-layer.ts, lstm-layer.ts, layers.ts), and code that TF.js lacks
// (dilated-conv.ts, on every backend). The class is found by its serialization name, as Keras JSON
// names it; the replacement receives the previous call for every case it does not handle.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Call = (this: any, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** A layer class's call, swapped for `fast(stock)` by set(true) and restored by set(false); both idempotent. */
export function layerCallPatch(className: string, fast: (stock: Call) => Call): (on: boolean) => void {
  return layerMethodPatch<Call>(className, 'call', fast);
}

/** As layerCallPatch, for any method of the class (e.g. computeOutputShape). */
export function layerMethodPatch<M>(className: string, method: string, replace: (previous: M) => M): (on: boolean) => void {
  let original: M | null = null;
  return (on) => {
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[className] as unknown as [{ prototype: Record<string, M> }] | undefined;
    const proto = entry?.[0]?.prototype;
    if (!proto) return;
    if (on && !original) {
      original = proto[method]!;
      proto[method] = replace(original);
    } else if (!on && original) {
      proto[method] = original;
      original = null;
    }
  };
}

/** The one input tensor of a layer call, or null when it has several. */
export function singleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | null {
  return Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0]! : null) : inputs;
}
