// Builds a trainable TF.js model from Keras JSON. Initialisers and dropout get seeds derived
// from the run's seed, so the same seed on the same backend gives the same run.
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelTopology } from '../common/model/keras-format';
import type { OptimizerName } from '../common/ipc/contract';
import type { Task } from './examples';
import { summarizeTopology } from '../common/model/summary';
import { graphFromTopology, topologyFromGraph } from '../common/model/graph';
import { BadInputError } from '../common/bad-input';

export class ModelError extends BadInputError {}

const SEEDED_INITIALIZERS = ['kernel_initializer', 'recurrent_initializer', 'embeddings_initializer'];

/** Returns a copy of the topology whose random parts (initialisers, dropout) carry seeds. */
export function withSeeds(topology: ModelTopology, seed: number): ModelTopology {
  const copy = JSON.parse(JSON.stringify(topology)) as ModelTopology;
  copy.config.layers.forEach((layer, i) => {
    const layerSeed = (seed * 1009 + i * 7919) % 2147483647;
    for (const key of SEEDED_INITIALIZERS) {
      const init = layer.config[key] as { class_name: string; config?: Record<string, unknown> } | undefined;
      if (init && typeof init === 'object') {
        init.config = { ...(init.config ?? {}), seed: layerSeed };
      } else if (key === 'kernel_initializer' && ['Dense', 'Conv2D', 'Conv1D', 'LSTM'].includes(layer.class_name)) {
        layer.config[key] = { class_name: 'GlorotUniform', config: { seed: layerSeed } };
      } else if (key === 'recurrent_initializer' && layer.class_name === 'LSTM') {
        layer.config[key] = { class_name: 'Orthogonal', config: { seed: layerSeed, gain: 1 } };
      }
    }
    if (layer.class_name === 'Dropout' && layer.config['seed'] == null) layer.config['seed'] = layerSeed;
  });
  return copy;
}

/** Checks shapes with the same rules the builder shows, then builds the TF.js model. */
export async function buildModel(topology: ModelTopology, seed: number): Promise<tfl.LayersModel> {
  const summary = summarizeTopology(topology);
  if (summary.errors.length > 0) {
    const e = summary.errors[0]!;
    throw new ModelError(e.layer ? `Layer "${e.layer}": ${e.message}` : e.message);
  }
  // Normalise through the graph so both Sequential and Functional JSON reach TF.js in its format.
  const normalised = topologyFromGraph(graphFromTopology(topology));
  try {
    return await tfl.models.modelFromJSON({ modelTopology: withSeeds(normalised, seed) as never });
  } catch (e) {
    throw new ModelError(`TF.js could not build the model: ${(e as Error).message}`);
  }
}

/**
 * Adam's and RMSprop's epsilon, the same on every backend (Keras's 1e-7). TF.js defaults it to the
 * backend's epsilon, and its webgl backend reports 1e-4 even when it computes in float32 (its
 * floatPrecision() answers 16 whenever float32 rendering is enabled): LeNet-5 then drifts 2% from
 * the other backends within one epoch. Only a GPU that truly computes in float16 keeps 1e-4, where
 * 1e-7 would round to zero.
 */
function optimizerEpsilon(): number {
  const env = tf.env();
  const float16Webgl = tf.getBackend() === 'webgl' && env.getBool('WEBGL_RENDER_FLOAT32_ENABLED') === false;
  return float16Webgl ? 1e-4 : 1e-7;
}

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.momentum(learningRate, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate, 0.9, 0, optimizerEpsilon());
    case 'adam':
      return tf.train.adam(learningRate, 0.9, 0.999, optimizerEpsilon());
  }
}

export function compileModel(model: tfl.LayersModel, task: Task, optimizer: OptimizerName, learningRate: number): void {
  model.compile({
    optimizer: makeOptimizer(optimizer, learningRate),
    loss: task === 'classification' ? 'categoricalCrossentropy' : 'meanSquaredError',
    metrics: task === 'classification' ? ['accuracy'] : [],
  });
}

/**
 * Frees a model and its optimizer's state (Adam's moments, …): compile() was given the optimizer,
 * so model.dispose() leaves it alive, and on a GPU those are buffers no one else frees.
 */
export function disposeModel(model: tfl.LayersModel): void {
  const optimizer = (model as { optimizer?: tf.Optimizer }).optimizer;
  model.dispose();
  optimizer?.dispose();
}
