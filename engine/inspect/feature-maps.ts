// Feature maps (a layer's output after its activation, for one example) and Conv2D filters.
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import { InspectError, listLayers, splitModel } from './split-model';

export interface FeatureMaps {
  /** The layer's path ("conv2d_1", or "backbone/conv2d_1" inside a nested model). */
  layer: string;
  /** Without the batch dimension: [h, w, c] for spatial layers, [units] for dense ones. */
  shape: number[];
  /** NHWC row-major (channel fastest), one example. */
  data: Float32Array;
}

export interface Filters {
  layer: string;
  /** [kh, kw, cin, cout], as TF.js and Keras store Conv2D kernels. */
  shape: number[];
  data: Float32Array;
  /** The bias per output channel, when the layer has one. */
  bias: Float32Array | null;
}

export function modelInputShape(model: tfl.LayersModel): number[] {
  return (model.inputs[0]!.shape as (number | null)[]).slice(1).map((d) => d ?? -1);
}

/** Checks that `input` holds exactly one example for the model; returns the tensor shape. */
export function exampleShape(model: tfl.LayersModel, input: Float32Array, count = 1): number[] {
  const shape = modelInputShape(model);
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => d < 0) || input.length !== size * count) {
    throw new InspectError(`The input has ${input.length} values; the model takes ${count === 1 ? '' : `${count} × `}${shape.join('×')} = ${size * count}.`);
  }
  return [count, ...shape];
}

/** The output of `layerName` (after its activation) for one preprocessed example. */
export function featureMaps(model: tfl.LayersModel, input: Float32Array, layerName: string): FeatureMaps {
  const split = splitModel(model, layerName);
  const data = tf.tidy(() => split.activations(tf.tensor(input, exampleShape(model, input))));
  try {
    return { layer: split.layer, shape: data.shape.slice(1), data: data.dataSync() as Float32Array };
  } finally {
    data.dispose();
  }
}

/** Conv2D kernels of `layerName`: shape [kh, kw, cin, cout]. */
export function filters(model: tfl.LayersModel, layerName: string): Filters {
  const layers = listLayers(model);
  const info = layers.find((l) => l.path === layerName) ?? layers.find((l) => l.name === layerName);
  if (!info) throw new InspectError(`The model has no layer "${layerName}". Layers: ${layers.map((l) => l.path).join(', ')}.`);
  if (!info.hasFilters) {
    const convs = layers.filter((l) => l.hasFilters).map((l) => l.path);
    throw new InspectError(`Layer "${info.path}" (${info.className}) has no convolution filters.${convs.length ? ` Conv2D layers: ${convs.join(', ')}.` : ' The model has no Conv2D layer.'}`);
  }
  let layer: tfl.LayersModel['layers'][number] | undefined;
  const find = (m: tfl.LayersModel, parts: string[]): void => {
    const l = m.getLayer(parts[0]!);
    if (parts.length === 1) layer = l;
    else find(l as tfl.LayersModel, parts.slice(1));
  };
  find(model, info.path.split('/'));
  const weights = layer!.getWeights(); // the variables' own tensors: read, never dispose
  const kernel = weights[0]!;
  return {
    layer: info.path,
    shape: kernel.shape,
    data: (kernel.dataSync() as Float32Array).slice(), // a copy: never hand out the weights' own buffer
    bias: weights[1] ? (weights[1].dataSync() as Float32Array).slice() : null,
  };
}
