// The CAM pipeline, as pytorch-grad-cam's BaseCAM: split the model at the target layer (built once
// and cached), get activations and — for gradient methods — the gradient of the PRE-softmax class
// score, turn them into channel weights (the one step most methods change), take the weighted sum
// of the channels, ReLU, and divide by the maximum. Everything after the forward/backward pass is
// plain float64 JavaScript on small arrays; every tensor is disposed.
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../../backends';
import { InspectError, listLayers, splitModel, type SplitModel } from '../split-model';
import { exampleShape, modelInputShape } from '../feature-maps';

export interface CamOptions {
  /** Target layer (path or name); default: the last layer with a spatial output. */
  layer?: string;
  /** Class to explain; default: the predicted class. */
  classIndex?: number;
}

export interface CamResult {
  layer: string;
  method: string;
  classIndex: number;
  /** The class's pre-softmax score (logit). */
  score: number;
  /** [h, w]: the target layer's resolution. */
  shape: [number, number];
  /** h × w row-major, ReLU'd and divided by its maximum (all zeros when the maximum is 0). */
  cam: Float32Array;
}

/** What a method sees for one example. Arrays are row-major [h, w, c] (channel fastest). */
export interface CamContext {
  model: tfl.LayersModel;
  split: SplitModel;
  /** The preprocessed example and the model's input shape [H, W, C]. */
  input: Float32Array;
  inputShape: number[];
  h: number;
  w: number;
  c: number;
  activations: Float32Array;
  /** d score / d activations; null for gradient-free methods. */
  grads: Float32Array | null;
  classIndex: number;
}

export abstract class BaseCam {
  abstract readonly name: string;
  abstract readonly label: string;
  abstract readonly description: string;
  readonly usesGradients: boolean = true;

  /** One weight per channel. Methods override this (Grad-CAM: mean gradient). */
  protected getWeights(_ctx: CamContext): Float64Array {
    throw new Error(`${this.name} does not define channel weights.`);
  }

  /** The map before ReLU (length h × w). Default: Σ_k weight_k · A_k. */
  protected camImage(ctx: CamContext): Float64Array {
    const weights = this.getWeights(ctx);
    const { h, w, c, activations } = ctx;
    const out = new Float64Array(h * w);
    for (let p = 0; p < h * w; p++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += weights[k]! * activations[p * c + k]!;
      out[p] = s;
    }
    return out;
  }

  /** One example. */
  compute(model: tfl.LayersModel, input: Float32Array, options: CamOptions = {}): CamResult {
    return this.computeMany(model, input, 1, { layer: options.layer, classIndices: options.classIndex == null ? undefined : [options.classIndex] })[0]!;
  }

  /** `count` examples stored one after another in `inputs`, in batches. */
  computeMany(model: tfl.LayersModel, inputs: Float32Array, count: number, options: { layer?: string; classIndices?: number[]; batchSize?: number } = {}): CamResult[] {
    const split = splitModel(model, options.layer);
    if (split.activationShape.length !== 3) {
      const spatial = listLayers(model).filter((l) => l.spatial).map((l) => l.path);
      throw new InspectError(
        `Layer "${split.layer}" has output shape [${split.activationShape.join(', ')}]; a CAM needs a layer with a height × width × channels output` +
          (spatial.length ? `: ${spatial.join(', ')}.` : ', and the model has none.'),
      );
    }
    const [h, w, c] = split.activationShape as [number, number, number];
    const inputShape = modelInputShape(model);
    const size = inputShape.reduce((a, b) => a * b, 1);
    exampleShape(model, inputs, count);
    if (options.classIndices && options.classIndices.length !== count) throw new InspectError(`Expected ${count} class indices, got ${options.classIndices.length}.`);
    const batchSize = options.batchSize ?? 32;
    const results: CamResult[] = [];
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const chunk = inputs.subarray(start * size, (start + n) * size);
      const given = options.classIndices?.slice(start, start + n) ?? null;
      const { activations, grads, logits, classIndices } = this.pass(split, chunk, [n, ...inputShape], given);
      const k = logits.length / n;
      for (let i = 0; i < n; i++) {
        const ctx: CamContext = {
          model,
          split,
          input: chunk.subarray(i * size, (i + 1) * size),
          inputShape,
          h,
          w,
          c,
          activations: activations.subarray(i * h * w * c, (i + 1) * h * w * c),
          grads: grads ? grads.subarray(i * h * w * c, (i + 1) * h * w * c) : null,
          classIndex: classIndices[i]!,
        };
        results.push({
          layer: split.layer,
          method: this.name,
          classIndex: classIndices[i]!,
          score: logits[i * k + classIndices[i]!]!,
          shape: [h, w],
          cam: normalise(this.camImage(ctx)),
        });
      }
    }
    return results;
  }

  private pass(split: SplitModel, chunk: Float32Array, shape: number[], given: number[] | null) {
    const x = tf.tensor(chunk, shape);
    try {
      if (this.usesGradients) {
        const r = split.gradients(x, given);
        try {
          return { activations: r.activations.dataSync() as Float32Array, grads: r.grads.dataSync() as Float32Array, logits: r.logits.dataSync() as Float32Array, classIndices: r.classIndices };
        } finally {
          tf.dispose([r.activations, r.grads, r.logits]);
        }
      }
      const r = split.forward(x);
      try {
        const logits = r.logits.dataSync() as Float32Array;
        const n = shape[0]!;
        const k = logits.length / n;
        const classIndices = given ?? Array.from({ length: n }, (_, i) => argmax(logits.subarray(i * k, (i + 1) * k)));
        for (const ci of classIndices) {
          if (!Number.isInteger(ci) || ci < 0 || ci >= k) throw new InspectError(`Class ${ci} does not exist: the model has ${k} outputs (0–${k - 1}).`);
        }
        return { activations: r.activations.dataSync() as Float32Array, grads: null, logits, classIndices };
      } finally {
        tf.dispose([r.activations, r.logits]);
      }
    } finally {
      x.dispose();
    }
  }
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** ReLU, then divide by the maximum; all zeros when the maximum is 0 (or not finite). */
export function normalise(raw: Float64Array): Float32Array {
  let max = 0;
  for (const v of raw) if (v > max) max = v;
  const out = new Float32Array(raw.length);
  if (!(max > 0) || !Number.isFinite(max)) return out;
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]! > 0 ? raw[i]! / max : 0;
  return out;
}

/** Sum over the spatial positions of a per-position, per-channel quantity. */
export function sumOverPixels(h: number, w: number, c: number, f: (p: number, k: number) => number): Float64Array {
  const out = new Float64Array(c);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[k]! += f(p, k);
  return out;
}
