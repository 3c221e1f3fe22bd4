// A runnable Python script that rebuilds the model with tf.keras, loads the exported weights from
// model.json + weights.bin with numpy, and shows how to keep training (one GPU, tf.distribute, Ray).
import type * as tfl from '@tensorflow/tfjs-layers';
import { graphFromTopology, type GraphLayer } from '../../common/model/graph';
import type { ModelTopology } from '../../common/model/keras-format';
import type { GlasswingMetadata } from '../model-io';

/** A Python literal for a JSON value. */
function py(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'float("inf")' : v < 0 ? 'float("-inf")' : 'float("nan")';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 1 && typeof v[0] !== 'object' ? `(${py(v[0])},)` : `(${v.map(py).join(', ')})`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`).join(', ')}}`;
}

function pyIdent(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `t_${id}` : id;
}

// Keys TF.js writes that Keras' constructors take under the same name; the rest are dropped.
const DROP = new Set(['name', 'trainable', 'dtype', 'batch_input_shape', 'input_shape', 'batch_size', 'inbound_nodes']);

/** Keras' snake_case initializer/regularizer class names as TF.js writes them. */
function kerasConfigValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'class_name' in (v as object)) {
    const o = v as { class_name: string; config?: Record<string, unknown> };
    return { class_name: o.class_name, config: o.config ?? {} };
  }
  return v;
}

function layerCall(layer: GraphLayer): string {
  const args = Object.entries(layer.config)
    // Initialisers do not matter (the trained weights are loaded) and None is Keras's default.
    .filter(([k, v]) => !DROP.has(k) && v !== undefined && v !== null && !k.endsWith('_initializer'))
    .map(([k, v]) => {
      // Initializers and regularizers stay {"class_name", "config"} dicts, which Keras deserialises.
      return `${k}=${py(kerasConfigValue(v))}`;
    });
  args.push(`name=${py(layer.name)}`);
  return `keras.layers.${layer.className}(${args.join(', ')})`;
}

export interface KerasScriptOptions {
  metadata: GlasswingMetadata;
  /** Training settings the model was trained with, when known. */
  settings?: { epochs?: number; batchSize?: number; learningRate?: number; optimizer?: string } | null;
}

export function kerasScript(model: tfl.LayersModel, options: KerasScriptOptions): string {
  const topology = model.toJSON(null, false) as unknown as ModelTopology;
  const graph = graphFromTopology(topology);
  const { metadata } = options;
  const settings = options.settings ?? {};
  const lines: string[] = [];
  const vars = new Map<string, string>();
  const inputVars: string[] = [];
  for (const layer of graph.layers) {
    const v = pyIdent(layer.name);
    vars.set(layer.name, v);
    if (layer.className === 'InputLayer') {
      const shape = ((layer.config['batch_input_shape'] as (number | null)[]) ?? [null, ...metadata.inputShape]).slice(1);
      lines.push(`    ${v} = keras.Input(shape=${py(shape)}, name=${py(layer.name)})`);
      inputVars.push(v);
      continue;
    }
    const ins = layer.inbound.map((n) => vars.get(n)!);
    const arg = ins.length === 1 ? ins[0] : `[${ins.join(', ')}]`;
    lines.push(`    ${v} = ${layerCall(layer)}(${arg})`);
  }
  const outs = graph.outputs.map((n) => vars.get(n)!);
  const optimizer = settings.optimizer ?? 'adam';
  const lr = settings.learningRate ?? 0.001;
  const optimizerPy = optimizer === 'sgd' ? `keras.optimizers.SGD(learning_rate=${lr}, momentum=0.9)` : optimizer === 'rmsprop' ? `keras.optimizers.RMSprop(learning_rate=${lr})` : `keras.optimizers.Adam(learning_rate=${lr})`;
  const loss = metadata.task === 'classification' ? '"categorical_crossentropy"' : '"mse"';
  const metrics = metadata.task === 'classification' ? '["accuracy"]' : '[]';
  return `#!/usr/bin/env python3
"""Rebuilds the Glasswing model "${graph.name}" in tf.keras and loads its trained weights.

Files beside this script: model.json + weights.bin (TF.js layers format) and preprocessing.json.
Requires: tensorflow (2.x, tf.keras) and numpy.

    python3 train_keras.py                   # rebuild, load weights, check, summary
    python3 train_keras.py --train X.npy Y.npy --epochs 10   # continue training on raw inputs

Task: ${metadata.task}. Classes (output order): ${metadata.classes.join(', ') || '(regression)'}.
Inputs are raw values of shape ${JSON.stringify(metadata.inputShape)}; preprocess() applies the same
scaling Glasswing used (see preprocessing.json).
"""
import argparse
import json
import os

import numpy as np
import tensorflow as tf
from tensorflow import keras

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = ${py(metadata.classes)}
TASK = ${py(metadata.task)}


def build_model():
    """The same architecture as in Glasswing (layer names match the weights manifest)."""
${lines.join('\n')}
    return keras.Model(inputs=${inputVars.length === 1 ? inputVars[0] : `[${inputVars.join(', ')}]`}, outputs=${outs.length === 1 ? outs[0] : `[${outs.join(', ')}]`}, name=${py(graph.name)})


def load_weights(model, folder=HERE):
    """Reads weights.bin with the manifest in model.json and sets them layer by layer."""
    with open(os.path.join(folder, "model.json")) as f:
        manifest = json.load(f)["weightsManifest"]
    by_layer = {}
    for group in manifest:
        data = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            dtype = {"float32": np.float32, "int32": np.int32}[spec.get("dtype", "float32")]
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            array = np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(spec["shape"])
            offset += count * np.dtype(dtype).itemsize
            layer_name = spec["name"].split("/")[0]
            by_layer.setdefault(layer_name, []).append(array)
    for layer in model.layers:
        if layer.name in by_layer:
            layer.set_weights(by_layer[layer.name])
    return model


def preprocess(raw):
    """Raw inputs (N, ...) -> model inputs, exactly as Glasswing scaled them."""
    with open(os.path.join(HERE, "preprocessing.json")) as f:
        p = json.load(f)["preprocessing"]
    x = np.asarray(raw, dtype=np.float32)
    if p["kind"] == "table":
        return (x - np.asarray(p["mean"], np.float32)) / np.asarray(p["std"], np.float32)
    return (x * p["scale"] - np.asarray(p["mean"], np.float32)) / np.asarray(p["std"], np.float32)


def check(model):
    """Compares with the predictions Glasswing made at export time (validation.json), if present."""
    path = os.path.join(HERE, "validation.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        v = json.load(f)
    x = np.asarray(v["inputs"], np.float32).reshape([-1] + ${py(metadata.inputShape).replace(/^\(/, '[').replace(/,?\)$/, ']')})
    diff = np.abs(model.predict(x, verbose=0) - np.asarray(v["outputs"], np.float32)).max()
    print(f"largest difference from Glasswing's predictions: {diff:.2e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", nargs=2, metavar=("X.npy", "Y.npy"), help="raw inputs and labels (class indices or targets)")
    parser.add_argument("--epochs", type=int, default=${settings.epochs ?? 10})
    parser.add_argument("--batch-size", type=int, default=${settings.batchSize ?? 32})
    parser.add_argument("--save", default=os.path.join(HERE, "keras_model.keras"))
    args = parser.parse_args()

    model = load_weights(build_model())
    model.summary()
    check(model)
    if not args.train:
        return
    x = preprocess(np.load(args.train[0]))
    y = np.load(args.train[1])
    if TASK == "classification":
        y = keras.utils.to_categorical(y.astype(int), num_classes=len(CLASSES))
    # Continue training where Glasswing stopped, with the same optimizer and loss.
    model.compile(optimizer=${optimizerPy}, loss=${loss}, metrics=${metrics})
    model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, validation_split=0.2)
    model.save(args.save)
    print("saved", args.save)


# Scaling out
# -----------
# Several GPUs on one machine: build and compile inside a tf.distribute strategy, then fit as above
# (the global batch is split across replicas):
#
#     strategy = tf.distribute.MirroredStrategy()
#     with strategy.scope():
#         model = load_weights(build_model())
#         model.compile(optimizer=${optimizerPy}, loss=${loss}, metrics=${metrics})
#     model.fit(x, y, epochs=..., batch_size=64 * strategy.num_replicas_in_sync)
#
# Several machines: tf.distribute.MultiWorkerMirroredStrategy with TF_CONFIG set on every worker,
# or Ray Train, which sets TF_CONFIG for you:
#
#     from ray.train import ScalingConfig
#     from ray.train.tensorflow import TensorflowTrainer
#
#     def train_loop(config):
#         strategy = tf.distribute.MultiWorkerMirroredStrategy()
#         with strategy.scope():
#             model = load_weights(build_model())
#             model.compile(optimizer=${optimizerPy}, loss=${loss}, metrics=${metrics})
#         model.fit(x, y, epochs=config["epochs"])
#
#     TensorflowTrainer(train_loop, train_loop_config={"epochs": 10},
#                       scaling_config=ScalingConfig(num_workers=4, use_gpu=True)).fit()

if __name__ == "__main__":
    main()
`;
}
