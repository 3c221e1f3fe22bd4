// Transfer learning: a pretrained backbone cut at a chosen layer, frozen (or with its last N
// weighted layers trainable), and a new head for the dataset's classes. With a frozen backbone,
// each image goes through it once and the features are cached, so training the head is fast.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import type { EpochRecord, OptimizerName, TrainingEvent, TrainingSettings } from '../../common/ipc/contract';
import type { TransferResultInfo } from '../../common/ipc/contract';
import type { Dataset } from '../datasets/dataset';
import { floatExamples, type Examples } from '../../compute/examples';
import { splitIndices } from '../datasets/split';
import type { GlasswingMetadata } from '../model-io';
import { compileModel } from '../../compute/model-builder';
import { evaluateClassifier, TrainingRun, type RunControl, type TrainOptions } from '../../compute/training-loop';
import type { Backbone } from './backbones';
import { BadInputError } from '../../common/bad-input';

export class TransferError extends BadInputError {}

/** The backbone's layers that hold weights, in order. */
function weightedLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.filter((l) => l.getWeights().length > 0);
}

/** The backbone as a model from its input to `layer`'s output, pooled to one vector per image. */
export function featureModel(backbone: Backbone, layer?: string): tfl.LayersModel {
  const name = layer ?? backbone.info.defaultCut;
  let target: tfl.layers.Layer;
  try {
    target = backbone.model.getLayer(name);
  } catch {
    throw new TransferError(`The backbone has no layer "${name}" (cut at one of: ${backbone.info.cutLayers.map((c) => c.name).join(', ')}).`);
  }
  let out = target.output as tfl.SymbolicTensor;
  if (out.shape.length === 4) out = tfl.layers.globalAveragePooling2d({ name: 'transfer_pool' }).apply(out) as tfl.SymbolicTensor;
  else if (out.shape.length !== 2) out = tfl.layers.flatten({ name: 'transfer_flatten' }).apply(out) as tfl.SymbolicTensor;
  return tfl.model({ inputs: backbone.model.inputs, outputs: out, name: `${backbone.model.name}_features` });
}

/** Raw pixels (0–255, count × h × w × c) → the backbone's input: resized, channels matched, scaled. */
export function toBackboneInput(backbone: Backbone, pixels: Uint8Array | Float32Array, shape: number[], rows: number[]): tf.Tensor4D {
  const [h, w, c] = shape as [number, number, number];
  const size = h * w * c;
  const [bh, bw, bc] = backbone.inputShape;
  const buf = new Float32Array(rows.length * size);
  rows.forEach((r, i) => buf.set(pixels.subarray(r * size, (r + 1) * size), i * size));
  return tf.tidy(() => {
    let x = tf.tensor4d(buf, [rows.length, h, w, c]);
    if (h !== bh || w !== bw) x = tf.image.resizeBilinear(x, [bh, bw], true);
    if (c === 1 && bc === 3) x = tf.tile(x, [1, 1, 1, 3]);
    else if (c === 3 && bc === 1) x = tf.mean(x, -1, true);
    else if (c !== bc) throw new TransferError(`Images have ${c} channels; the backbone takes ${bc}.`);
    return backbone.preprocess(x as tf.Tensor4D);
  });
}

/** Features of `rows`, batch by batch: count × featureSize. */
export async function extractFeatures(features: tfl.LayersModel, backbone: Backbone, dataset: Dataset, rows: number[], onProgress?: (done: number) => void, batch = 32): Promise<Float32Array> {
  const dim = Number(features.outputs[0]!.shape[1]);
  const out = new Float32Array(rows.length * dim);
  for (let start = 0; start < rows.length; start += batch) {
    const part = rows.slice(start, start + batch);
    const values = tf.tidy(() => (features.predict(toBackboneInput(backbone, dataset.x, dataset.inputShape, part)) as tf.Tensor).dataSync());
    out.set(values, start * dim);
    onProgress?.(Math.min(rows.length, start + batch));
    await new Promise<void>((r) => setImmediate(r));
  }
  return out;
}

function labels(dataset: Dataset, rows: number[]): Float32Array {
  return Float32Array.from(rows, (r) => dataset.y[r]!);
}

/** The new head: [Dense(headUnits, relu)] → Dense(classes, softmax), seeded. */
function headLayers(headUnits: number, classes: number, seed: number): tfl.layers.Layer[] {
  const layers: tfl.layers.Layer[] = [];
  if (headUnits > 0) layers.push(tfl.layers.dense({ units: headUnits, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }), name: 'head_dense' }));
  layers.push(tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }), name: 'head_output' }));
  return layers;
}

/** Per-feature mean and standard deviation over the first `rows` rows. */
function featureStats(feats: Float32Array, rows: number, dim: number): { mean: Float32Array; std: Float32Array } {
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) mean[j]! += feats[i * dim + j]! / rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) std[j]! += (feats[i * dim + j]! - mean[j]!) ** 2 / rows;
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]!) + 1e-6;
  return { mean, std };
}

/** Dense on (f − mean) / std  ==  Dense with W / std and b − Σ mean·W / std, on raw f. */
function foldStandardisation(dense: tfl.layers.Layer, mean: Float32Array, std: Float32Array): void {
  const [kernel, bias] = dense.getWeights() as [tf.Tensor2D, tf.Tensor1D];
  const folded = tf.tidy(() => {
    const scale = tf.tensor2d(std, [std.length, 1]);
    const k = tf.div(kernel, scale);
    const b = tf.sub(bias, tf.squeeze(tf.matMul(tf.tensor2d(mean, [1, mean.length]), k)));
    return [k, b];
  });
  dense.setWeights(folded);
  tf.dispose(folded);
}

function countParams(layers: tfl.layers.Layer[]): number {
  return layers.reduce((a, l) => a + l.countParams(), 0);
}

export interface TransferOptions {
  backbone: Backbone;
  cutLayer?: string;
  /** Weighted layers at the end of the backbone that train too (0: frozen; features are cached). */
  unfreeze: number;
  headUnits: number;
  dataset: Dataset;
  settings: Pick<TrainingSettings, 'epochs' | 'batchSize' | 'learningRate' | 'optimizer' | 'validationSplit' | 'testSplit'> & { seed?: number };
  compareFromScratch?: boolean;
  onEpoch?: (which: 'transfer' | 'baseline', record: EpochRecord) => void;
  onProgress?: (phase: 'features' | 'training' | 'baseline', done: number, total: number) => void;
  signal?: AbortSignal;
  /** Trains on the page's GPU worker instead of in this process (the engine passes it for webgpu/webgl). */
  startRun?: StartRun;
}

/** Starts a training run of `model` somewhere else (the page's compute worker). */
export type StartRun = (
  model: tfl.LayersModel,
  data: { train: Examples; validation: Examples; test: Examples },
  options: TrainOptions & { optimizer: OptimizerName; learningRate: number },
) => Promise<RunControl>;

export interface TransferOutcome {
  transfer: TransferResultInfo;
  baseline: TransferResultInfo | null;
  /** Backbone + head as one model, taking the backbone's input (it owns the backbone's layers: dispose this, not both). */
  model: tfl.LayersModel;
  metadata: GlasswingMetadata;
  stopped: boolean;
}

type Split = { train: number[]; validation: number[]; test: number[] };

async function trainModel(
  model: tfl.LayersModel,
  train: Examples,
  validation: Examples,
  inputShape: number[],
  options: TransferOptions,
  which: 'transfer' | 'baseline',
): Promise<{ history: EpochRecord[]; stopped: boolean }> {
  const { dataset, settings } = options;
  compileModel(model, 'classification', settings.optimizer, settings.learningRate);
  const holder: { run?: RunControl } = {};
  const loop: TrainOptions = {
    runId: which,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed: settings.seed ?? 1,
    task: 'classification',
    classes: dataset.classes,
    inputShape,
    batchEventIntervalMs: 1e9,
    onEvent: (e: TrainingEvent) => {
      if (e.type === 'epoch') {
        const { type: _t, runId: _r, ...record } = e;
        options.onEpoch?.(which, record);
        options.onProgress?.(which === 'baseline' ? 'baseline' : 'training', record.epoch, settings.epochs);
      }
      if (options.signal?.aborted) holder.run?.stop();
    },
  };
  const run: RunControl = options.startRun
    ? await options.startRun(model, { train, validation, test: floatExamples(new Float32Array(0), new Float32Array(0), []) }, { ...loop, optimizer: settings.optimizer, learningRate: settings.learningRate })
    : new TrainingRun(model, train, validation, loop);
  holder.run = run;
  const onAbort = () => run.stop();
  options.signal?.addEventListener('abort', onAbort);
  try {
    const result = await run.run();
    return { history: result.history, stopped: result.stopped };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Preprocessed images of `rows` at the backbone's input, as Examples for the trainer. */
function imageExamples(backbone: Backbone, dataset: Dataset, rows: number[]): Examples {
  const x = tf.tidy(() => toBackboneInput(backbone, dataset.x, dataset.inputShape, rows).dataSync() as Float32Array);
  return { x, y: labels(dataset, rows), count: rows.length, indices: rows };
}

function result(history: EpochRecord[], testAccuracy: number | null, seconds: number, featureSeconds: number, trainable: number, frozen: number): TransferResultInfo {
  const last = history[history.length - 1];
  return { valAccuracy: last?.valAccuracy ?? null, testAccuracy, seconds, featureSeconds, trainableParams: trainable, frozenParams: frozen, history };
}

/** Trains a head on the backbone's features (and, if asked, the same architecture from scratch). */
export async function transferLearn(options: TransferOptions): Promise<TransferOutcome> {
  const { backbone, dataset, settings } = options;
  if (dataset.kind !== 'images' || dataset.task !== 'classification') throw new TransferError('Transfer learning needs an image classification dataset (a folder with one sub-folder of images per class).');
  const seed = settings.seed ?? 1;
  const s = splitIndices(dataset, settings.validationSplit, settings.testSplit, seed) as Split;
  if (s.train.length === 0) throw new TransferError(`${dataset.name} leaves no examples for training.`);
  const features = featureModel(backbone, options.cutLayer);
  const dim = Number(features.outputs[0]!.shape[1]);
  const backboneLayers = features.layers.filter((l) => !(l instanceof tfl.layers.Layer && l.name.startsWith('transfer_')));
  const head = headLayers(options.headUnits, dataset.classes.length, seed);
  const metadata: GlasswingMetadata = {
    formatVersion: 1,
    task: 'classification',
    classes: dataset.classes,
    inputShape: backbone.inputShape,
    preprocessing: backbone.preprocessing,
    dataset: dataset.id,
  };
  const started = performance.now();
  let transfer: TransferResultInfo;
  let stopped = false;
  // The whole model shares layers (and so weights) with the backbone and the head.
  const assemble = () => {
    let out = features.outputs[0]!;
    for (const l of head) out = l.apply(out) as tfl.SymbolicTensor;
    return tfl.model({ inputs: features.inputs, outputs: out, name: 'transfer_model' });
  };
  if (options.unfreeze === 0) {
    // Frozen: features once per image, cached; only the head trains.
    const all = [...s.train, ...s.validation, ...s.test];
    const f0 = performance.now();
    const feats = await extractFeatures(features, backbone, dataset, all, (done) => options.onProgress?.('features', done, all.length));
    const featureSeconds = (performance.now() - f0) / 1000;
    const slice = (from: number, rows: number[]): Examples => ({ x: feats.subarray(from * dim, (from + rows.length) * dim), y: labels(dataset, rows), count: rows.length, indices: rows });
    // Standardise the features (fitted on the training split) for the head; the scaling is folded
    // into the head's first layer afterwards, so the whole model takes raw features.
    const { mean, std } = featureStats(feats, s.train.length, dim);
    for (let i = 0; i < all.length; i++) for (let j = 0; j < dim; j++) feats[i * dim + j] = (feats[i * dim + j]! - mean[j]!) / std[j]!;
    const train = slice(0, s.train);
    const validation = slice(s.train.length, s.validation);
    const test = slice(s.train.length + s.validation.length, s.test);
    const input = tfl.input({ shape: [dim] });
    let out: tfl.SymbolicTensor = input;
    for (const l of head) out = l.apply(out) as tfl.SymbolicTensor;
    const headModel = tfl.model({ inputs: input, outputs: out, name: 'transfer_head' });
    const trained = await trainModel(headModel, train, validation, [dim], options, 'transfer');
    stopped = trained.stopped;
    const testAccuracy = test.count > 0 ? (await evaluateClassifier(headModel, test, [dim], dataset.classes)).accuracy : null;
    foldStandardisation(head[0]!, mean, std);
    transfer = result(trained.history, testAccuracy, (performance.now() - started) / 1000, featureSeconds, countParams(head), countParams(backboneLayers));
  } else {
    const weighted = weightedLayers(features);
    const open = new Set(weighted.slice(Math.max(0, weighted.length - options.unfreeze)));
    for (const l of backboneLayers) l.trainable = open.has(l);
    const model = assemble();
    const train = imageExamples(backbone, dataset, s.train);
    const validation = imageExamples(backbone, dataset, s.validation);
    const trained = await trainModel(model, train, validation, backbone.inputShape, options, 'transfer');
    stopped = trained.stopped;
    const test = imageExamples(backbone, dataset, s.test);
    const testAccuracy = test.count > 0 ? (await evaluateClassifier(model, test, backbone.inputShape, dataset.classes)).accuracy : null;
    const trainable = countParams([...open]) + countParams(head);
    transfer = result(trained.history, testAccuracy, (performance.now() - started) / 1000, 0, trainable, countParams(backboneLayers) - countParams([...open]));
  }
  const model = assemble();
  let baseline: TransferResultInfo | null = null;
  if (options.compareFromScratch && !stopped && !options.signal?.aborted) {
    const b0 = performance.now();
    // The same architecture from random weights, every layer training, the same epochs.
    const json = JSON.parse(JSON.stringify(model.toJSON(null, false))) as { config: { layers: { config: Record<string, unknown> }[] } };
    json.config.layers.forEach((l) => (l.config['trainable'] = true));
    const scratch = (await tfl.models.modelFromJSON({ modelTopology: json as never })) as tfl.LayersModel;
    // Some backends cannot train every layer (wasm has no depthwise-convolution gradient): then
    // there is no baseline rather than no result.
    try {
      const train = imageExamples(backbone, dataset, s.train);
      const validation = imageExamples(backbone, dataset, s.validation);
      const trained = await trainModel(scratch, train, validation, backbone.inputShape, options, 'baseline');
      const test = imageExamples(backbone, dataset, s.test);
      const testAccuracy = test.count > 0 ? (await evaluateClassifier(scratch, test, backbone.inputShape, dataset.classes)).accuracy : null;
      baseline = result(trained.history, testAccuracy, (performance.now() - b0) / 1000, 0, scratch.countParams(), 0);
    } catch {
      baseline = null;
    } finally {
      scratch.dispose();
    }
  }
  return { transfer, baseline, model, metadata, stopped };
}
