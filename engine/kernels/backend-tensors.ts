// Reading and making float32 tensors on the two backends Glasswing's own ops run on (cpu, wasm), for
// ops registered for both from one kernel function (batch-norm-layer.ts, lstm-layer.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** A tensor's values: a view of wasm's heap, or the cpu backend's own array (not to be written). */
export function tensorValues(backend: unknown, t: TensorInfo): Float32Array {
  return tf.getBackend() === 'wasm'
    ? (backend as BackendWasm).typedArrayFromHeap(t) as Float32Array
    : (backend as MathBackendCPU).data.get(t.dataId)!.values as Float32Array;
}

/** New tensors of the active backend holding `arrays` ([shape, values] pairs; copied on wasm, adopted on cpu). */
export function newTensors(backend: unknown, arrays: [number[], Float32Array][]): TensorInfo[] {
  return arrays.map(([shape, values]) => {
    if (tf.getBackend() === 'wasm') {
      const out = (backend as BackendWasm).makeOutput(shape, 'float32');
      ((backend as BackendWasm).typedArrayFromHeap(out) as Float32Array).set(values);
      return out;
    }
    return (backend as MathBackendCPU).makeTensorInfo(shape, 'float32', values);
  });
}
