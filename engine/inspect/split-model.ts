// A model "split" at one layer: a function that returns that layer's activations and the
// PRE-softmax class scores, and the gradient of chosen class scores with respect to the
// activations. This is what every CAM method and the feature-map view need.
//
// How it works: TF.js runs a model's graph by calling each layer's `call()` (Container's
// runInternalGraph), for Sequential, Functional and nested models alike. So instead of rebuilding
// sub-models (which breaks on nested backbones and branches), the split temporarily overrides
// `call` on two layer *instances* for the duration of one synchronous forward pass:
//  - the target layer: to capture its output, or, inside tf.grad, to return the activations
//    tensor we differentiate with respect to (so the head is cut off the gradient);
//  - the output layer, when it ends in softmax: its activation is swapped for a linear one, so
//    scores are logits (gradients of a softmax output saturate and mix classes).
// The overrides are removed in `finally`, before any other code can run: the user's model is
// never left changed. Dropout and batch-norm run in inference mode (`training: false`).
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import { BadInputError } from '../../common/bad-input';

export type Layer = tfl.LayersModel['layers'][number];

/** A problem with what the user asked to inspect (unknown layer, wrong kind of layer). */
export class InspectError extends BadInputError {}

export interface LayerInfo {
  /** The layer's name; for layers inside a nested model, also reachable as "outer/inner". */
  name: string;
  /** "backbone/conv2d_3" for a layer inside the nested model "backbone", else the name. */
  path: string;
  className: string;
  /** Output shape without the batch dimension; null when it cannot be known statically. */
  outputShape: number[] | null;
  /** Has a spatial output (h × w × c): usable as a CAM target. */
  spatial: boolean;
  /** Has Conv2D filters to show. */
  hasFilters: boolean;
  /** Nesting depth (0 = a layer of the model itself). */
  depth: number;
}

interface LayerRef {
  layer: Layer;
  /** The models from the outermost down to the one that holds `layer`. */
  containers: tfl.LayersModel[];
  path: string;
}

function isModel(layer: Layer): layer is tfl.LayersModel {
  return layer instanceof tfl.LayersModel;
}

function staticShape(layer: Layer): number[] | null {
  try {
    const s = layer.outputShape;
    if (!Array.isArray(s) || Array.isArray(s[0])) return null; // several outputs
    return (s as (number | null)[]).slice(1).map((d) => d ?? -1);
  } catch {
    return null; // a shared layer has several output shapes
  }
}

/** Every layer, depth first in graph order, with nested models' layers after the nested model. */
function walk(model: tfl.LayersModel, containers: tfl.LayersModel[] = [], prefix = ''): LayerRef[] {
  const out: LayerRef[] = [];
  const chain = [...containers, model];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const p = prefix ? `${prefix}/${layer.name}` : layer.name;
    out.push({ layer, containers: chain, path: p });
    if (isModel(layer)) out.push(...walk(layer, chain, p));
  }
  return out;
}

/** The layers a user can inspect, for the layer picker and for error messages. */
export function listLayers(model: tfl.LayersModel): LayerInfo[] {
  return walk(model).map(({ layer, containers, path }) => {
    const outputShape = staticShape(layer);
    return {
      name: layer.name,
      path,
      className: layer.getClassName(),
      outputShape,
      spatial: outputShape !== null && outputShape.length === 3,
      hasFilters: layer.getClassName() === 'Conv2D',
      depth: containers.length - 1,
    };
  });
}

function findLayer(model: tfl.LayersModel, name: string): LayerRef {
  const all = walk(model);
  const hit = all.find((r) => r.path === name) ?? all.find((r) => r.layer.name === name);
  if (!hit) {
    throw new InspectError(`The model has no layer "${name}". Layers: ${all.map((r) => r.path).join(', ')}.`);
  }
  return hit;
}

/** Layers that pass their input through unchanged at inference: never the default target. */
const INFERENCE_IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/**
 * The default CAM target: the last layer with a spatial (h × w × c) output, looking inside
 * nested models (a pretrained backbone) before taking the nested model itself, and skipping
 * dropout/noise layers (identities at inference, so their map is their input's).
 */
export function defaultTargetLayer(model: tfl.LayersModel): string {
  const search = (m: tfl.LayersModel, prefix: string): string | null => {
    for (let i = m.layers.length - 1; i >= 0; i--) {
      const layer = m.layers[i]!;
      if (layer.getClassName() === 'InputLayer') continue;
      const p = prefix ? `${prefix}/${layer.name}` : layer.name;
      if (isModel(layer)) {
        const inner = search(layer, p);
        if (inner) return inner;
      }
      if (staticShape(layer)?.length === 3 && !INFERENCE_IDENTITY.has(layer.getClassName())) return p;
    }
    return null;
  };
  const found = search(model, '');
  if (found) return found;
  throw new InspectError(
    'The model has no convolutional layer (no layer with a height × width × channels output), so there is nothing to ' +
      'localise: Grad-CAM and feature maps need one. Build the model with Conv2D layers (e.g. the lenet5 template), ' +
      'or inspect its dense layers through their activations instead.',
  );
}

/** Temporarily replaces `obj[key]` with `value`; the returned function restores it exactly. */
function override<T extends object>(obj: T, key: string, value: unknown): () => void {
  const target = obj as Record<string, unknown>;
  const own = Object.prototype.hasOwnProperty.call(obj, key);
  const previous = target[key];
  target[key] = value;
  return () => {
    if (own) target[key] = previous;
    else delete target[key];
  };
}

const LINEAR = { getClassName: () => 'linear', apply: (x: tf.Tensor) => x, getConfig: () => ({}) };

/**
 * Overrides that make the model output logits: the final softmax (a Dense/Conv activation, an
 * Activation('softmax') layer or a Softmax layer, possibly the last layer of a nested model)
 * becomes linear. Returns the restore functions.
 */
function logitOverrides(model: tfl.LayersModel): (() => void)[] {
  let out = model.outputs[0]!.sourceLayer as Layer;
  while (isModel(out)) out = out.outputs[0]!.sourceLayer as Layer;
  const cls = out.getClassName();
  const activation = (out as unknown as { activation?: { getClassName(): string } }).activation;
  if (activation && activation.getClassName() === 'softmax') return [override(out, 'activation', LINEAR)];
  if (cls === 'Softmax' || (cls === 'Activation' && activation?.getClassName() === 'softmax')) {
    return [override(out, 'call', (inputs: tf.Tensor | tf.Tensor[]) => (Array.isArray(inputs) ? inputs[0]! : inputs))];
  }
  return [];
}

export interface SplitModel {
  /** The target layer's path ("conv2d_2" or "backbone/conv2d_2"). */
  readonly layer: string;
  readonly className: string;
  /** Activation shape without the batch dimension: [h, w, c] or [units]. */
  readonly activationShape: number[];
  /** Inference-mode forward pass. The caller disposes both tensors. */
  forward(x: tf.Tensor): { activations: tf.Tensor; logits: tf.Tensor };
  /**
   * The layer's own output, after its activation, even when it is the softmax output layer
   * (no logit overrides). The caller disposes the tensor.
   */
  activations(x: tf.Tensor): tf.Tensor;
  /** Pre-softmax scores only. The caller disposes the tensor. */
  logits(x: tf.Tensor): tf.Tensor;
  /**
   * Activations, logits, and d(logits[i, classIndices[i]]) / d(activations[i]) for each example i.
   * classIndices null: each example's predicted class. The caller disposes the tensors.
   */
  gradients(x: tf.Tensor, classIndices: number[] | null): { activations: tf.Tensor; logits: tf.Tensor; grads: tf.Tensor; classIndices: number[] };
}

const cache = new WeakMap<tfl.LayersModel, Map<string, SplitModel>>();

function firstTensor(t: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(t) ? t[0]! : t;
}

/** The split for `layerName` (default: defaultTargetLayer), built once per model and layer. */
export function splitModel(model: tfl.LayersModel, layerName?: string): SplitModel {
  const name = layerName ?? defaultTargetLayer(model);
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map()));
  const cached = perModel.get(name);
  if (cached) return cached;

  const ref = findLayer(model, name);
  const target = ref.layer;
  const shape = staticShape(target);
  if (!shape) throw new InspectError(`Layer "${ref.path}" has several outputs or is shared; pick another layer.`);
  const originalCall = target.call.bind(target) as (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

  const run = (x: tf.Tensor, replaceWith: tf.Tensor | null, asLogits = true): { activations: tf.Tensor; logits: tf.Tensor } => {
    let captured: tf.Tensor | null = null;
    const restores = asLogits ? logitOverrides(model) : [];
    restores.push(
      override(target, 'call', (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => {
        if (captured) throw new InspectError(`Layer "${ref.path}" is used more than once in the model; pick another layer.`);
        // In inference mode TF.js's executor disposes each intermediate tensor once its consumers
        // have run, and Container.call runs in a tidy. So the graph gets a clone of the tensor we
        // differentiate with respect to (tf.clone is an identity for gradients), and the captured
        // activations are a kept copy of their own (Dropout at inference returns its very input).
        if (replaceWith) {
          captured = replaceWith;
          return tf.clone(replaceWith);
        }
        const out = firstTensor(originalCall(inputs, kwargs));
        captured = tf.keep(tf.clone(out));
        return out;
      }),
    );
    try {
      const logits = firstTensor(model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[]);
      if (!captured) throw new InspectError(`Layer "${ref.path}" does not take part in computing the model's output.`);
      return { activations: captured, logits };
    } catch (e) {
      if (captured && !replaceWith) (captured as tf.Tensor).dispose();
      throw e;
    } finally {
      for (const r of restores.reverse()) r();
    }
  };

  const split: SplitModel = {
    layer: ref.path,
    className: target.getClassName(),
    activationShape: shape,
    forward: (x) => run(x, null),
    activations: (x) => {
      const r = tf.tidy(() => run(x, null, false));
      r.logits.dispose();
      return r.activations;
    },
    logits: (x) => {
      const restores = logitOverrides(model);
      try {
        return tf.tidy(() => firstTensor(model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[]));
      } finally {
        for (const r of restores.reverse()) r();
      }
    },
    gradients: (x, classIndices) => {
      const { activations, logits } = tf.tidy(() => run(x, null));
      const n = x.shape[0]!;
      const k = logits.shape[logits.shape.length - 1]!;
      let chosen = classIndices;
      if (!chosen) {
        const arg = tf.tidy(() => tf.argMax(tf.reshape(logits, [n, k]), 1));
        chosen = Array.from(arg.dataSync());
        arg.dispose();
      }
      if (chosen.length !== n) throw new InspectError(`Expected ${n} class indices, got ${chosen.length}.`);
      for (const c of chosen) {
        if (!Number.isInteger(c) || c < 0 || c >= k) throw new InspectError(`Class ${c} does not exist: the model has ${k} outputs (0–${k - 1}).`);
      }
      const picked = chosen;
      const grads = tf.tidy(() => {
        const mask = tf.cast(tf.oneHot(tf.tensor1d(picked, 'int32'), k), 'float32');
        // Each example's score depends only on its own input, so the gradient of the sum gives
        // every example its own gradient in one backward pass.
        const score = (a: tf.Tensor) => tf.sum(tf.mul(tf.reshape(run(x, a).logits, [n, k]), mask));
        return tf.grad(score)(activations);
      });
      return { activations, logits, grads, classIndices: picked };
    },
  };
  perModel.set(name, split);
  perModel.set(ref.path, split);
  return split;
}

/**
 * The layers with weights that come after `layerName` in graph order (inside its nested model,
 * then in the models around it), from the target towards the output. Nested models themselves are
 * not listed: their weights belong to their layers.
 */
export function layersAfter(model: tfl.LayersModel, layerName: string): { path: string; layer: Layer }[] {
  const all = walk(model);
  const target = findLayer(model, layerName);
  const at = all.findIndex((r) => r.layer === target.layer);
  // A nested model as the target: skip its own layers too.
  const skip = isModel(target.layer) ? new Set(walk(target.layer).map((r) => r.layer)) : new Set<Layer>();
  return all
    .slice(at + 1)
    .filter((r) => !isModel(r.layer) && !skip.has(r.layer) && r.layer.weights.length > 0)
    .map((r) => ({ path: r.path, layer: r.layer }));
}

/** The layer at `path` ("name" or "outer/inner"). */
export function getLayer(model: tfl.LayersModel, path: string): Layer {
  return findLayer(model, path).layer;
}
