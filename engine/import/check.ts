// The conversion check: random inputs through the original and through the converted model, and
// the largest absolute difference between their outputs, reported as engine/export reports its
// export checks. The original is ONNX Runtime running the .onnx file itself, or — for Keras,
// which cannot run here — the independent float64 reference of keras-reference.ts.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import type { GlasswingMetadata } from '../model-io';
import { applyPreprocessing } from '../datasets/prepare';
import { seededRandom } from '../../compute/random';
import type { ReadOnlyModel } from './read-only-model';
import type { KerasFile } from './keras-reader';
import { referenceForward, referenceGap } from './keras-reference';
import { reason } from './errors';

export interface ImportCheck {
  /** What computed the original's outputs: 'onnxruntime-web', 'reference (float64 JavaScript)', or 'none'. */
  runtime: string;
  examples: number;
  /** Largest |converted − original| over all outputs; null when the check did not run. */
  maxAbsDiff: number | null;
  ok: boolean;
  message: string;
}

export const DEFAULT_TOLERANCE = 1e-4;

/** Inputs as the model sees them: random 0–255 pixels through its preprocessing (images), else about N(0, 1). */
export function checkInputs(metadata: GlasswingMetadata, count: number, seed = 20240501): Float32Array {
  const random = seededRandom(seed);
  const size = metadata.inputShape.reduce((a, b) => a * b, 1);
  const p = metadata.preprocessing;
  if (p.kind === 'image') return applyPreprocessing(Float32Array.from({ length: count * size }, () => Math.floor(random() * 256)), p);
  return Float32Array.from({ length: count * size }, () => (random() + random() + random() - 1.5) * 2);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** `layers`' outputs of the converted model (e.g. the logits before an appended softmax). */
export function predictLayers(model: tfl.LayersModel, layers: string[], x: Float32Array, count: number, inputShape: number[]): Float32Array[] {
  const outputs = layers.map((l) => model.getLayer(l).output as tfl.SymbolicTensor);
  const sub = tfl.model({ inputs: model.inputs, outputs });
  return tf.tidy(() => {
    const y = sub.predict(tf.tensor(x, [count, ...inputShape]));
    return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
  });
}

/** Converted ONNX model vs ONNX Runtime on the original file. */
export async function checkOnnx(
  model: tfl.LayersModel,
  original: ReadOnlyModel,
  outputs: { name: string; layer: string }[],
  metadata: GlasswingMetadata,
  count: number,
  tolerance = DEFAULT_TOLERANCE,
): Promise<ImportCheck> {
  const x = checkInputs(metadata, count);
  try {
    const expected = await original.run(x, count);
    const got = predictLayers(model, outputs.map((o) => o.layer), x, count, metadata.inputShape);
    const diff = Math.max(...outputs.map((o, i) => maxAbsDiff(expected[o.name]!.data, got[i]!)));
    return {
      runtime: 'onnxruntime-web',
      examples: count,
      maxAbsDiff: diff,
      ok: diff <= tolerance,
      message: `converted model vs the .onnx file in ONNX Runtime: largest difference ${diff.toExponential(2)} over ${count} random examples${diff <= tolerance ? '' : ` (above the tolerance ${tolerance})`}`,
    };
  } catch (e) {
    return { runtime: 'onnxruntime-web', examples: 0, maxAbsDiff: null, ok: false, message: `not checked: ONNX Runtime could not run the file (${reason(e)})` };
  }
}

/** Converted Keras model vs the float64 reference forward pass over the file's own weights. */
export function checkKeras(model: tfl.LayersModel, keras: KerasFile, metadata: GlasswingMetadata, count: number, tolerance = DEFAULT_TOLERANCE): ImportCheck {
  const gap = referenceGap(keras.graph);
  if (gap) return { runtime: 'none', examples: 0, maxAbsDiff: null, ok: false, message: `not checked: the reference forward pass does not compute ${gap}` };
  const x = checkInputs(metadata, count);
  try {
    const expected = referenceForward(keras.graph, keras.weights, x, count, metadata.inputShape);
    const got = tf.tidy(() => {
      const y = model.predict(tf.tensor(x, [count, ...metadata.inputShape]));
      return (Array.isArray(y) ? y[0]! : y).dataSync() as Float32Array;
    });
    const diff = maxAbsDiff(expected, got);
    return {
      runtime: 'reference (float64 JavaScript)',
      examples: count,
      maxAbsDiff: diff,
      ok: diff <= tolerance,
      message: `converted model vs an independent float64 forward pass over the file's weights: largest difference ${diff.toExponential(2)} over ${count} random examples${diff <= tolerance ? '' : ` (above the tolerance ${tolerance})`}`,
    };
  } catch (e) {
    return { runtime: 'reference (float64 JavaScript)', examples: 0, maxAbsDiff: null, ok: false, message: `not checked: ${reason(e)}` };
  }
}
