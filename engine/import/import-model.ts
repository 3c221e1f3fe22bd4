// "Bring your own model": one entry point that opens a PyTorch export (.onnx), a Keras 3 model
// (.keras) or a legacy Keras 2 model (.h5) as a Glasswing model — a TF.js LayersModel with
// Glasswing metadata — checks the conversion, and, for an ONNX graph with operators Glasswing
// cannot convert, still opens it read-only in ONNX Runtime. `loadAnyModel` is what callers use:
// it also opens Glasswing's own model folders.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import type { ModelTopology } from '../../common/model/keras-format';
import { loadModel, type GlasswingMetadata, type LoadedModel } from '../model-io';
import { readOnnx } from './onnx-reader';
import { convertOnnxGraph } from './onnx-to-keras';
import { buildLayersModel } from './keras-builder';
import { readKerasArchive, readKerasH5 } from './keras-reader';
import { ReadOnlyModel } from './read-only-model';
import { importMetadata, type MetadataOptions } from './preprocessing';
import { checkKeras, checkOnnx, DEFAULT_TOLERANCE, type ImportCheck } from './check';
import { ModelImportError, UnsupportedModelError, type UnsupportedItem } from './errors';

export type ImportSource = 'onnx' | 'keras' | 'h5';

export interface ImportOptions extends MetadataOptions {
  /** Random examples for the conversion check (default 8); 0 or false skips it. */
  check?: number | false;
  /** Largest acceptable check difference (default 1e-4). */
  tolerance?: number;
  /** ONNX: the input shape without the batch, NCHW ([C, H, W]), when the file leaves it open. */
  inputShape?: number[];
  /** ONNX: add a softmax after a classifier's logits (default true). */
  appendSoftmax?: boolean;
}

export interface ImportResult {
  source: ImportSource;
  file: string;
  /** The converted model; null when some operator could not be converted (see readOnly). */
  model: tfl.LayersModel | null;
  /** ONNX only, when the conversion failed: the original running in ONNX Runtime. */
  readOnly: ReadOnlyModel | null;
  metadata: GlasswingMetadata;
  /** Keras-format topology of the converted model (what model.json holds). */
  topology: ModelTopology | null;
  check: ImportCheck;
  unsupported: UnsupportedItem[];
  /** What Glasswing assumed or changed, for the user to see. */
  notes: string[];
  /** ONNX: value name → the Keras layer computing it (image tensors stored channels-last). */
  layerOf: Record<string, string>;
  /** ONNX: the layer holding the logits when a softmax was appended. */
  logitsLayer: string | null;
}

const EXTENSIONS: Record<string, ImportSource> = { '.onnx': 'onnx', '.keras': 'keras', '.h5': 'h5', '.hdf5': 'h5' };

/** The import source for a path by its extension; null for anything else (a TF.js model folder). */
export function importSourceOf(file: string): ImportSource | null {
  return EXTENSIONS[path.extname(file).toLowerCase()] ?? null;
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new ModelImportError(`${file} is not a file.`);
  } catch (e) {
    if (e instanceof ModelImportError) throw e;
    throw new ModelImportError(`${file} does not exist.`);
  }
  return new Uint8Array(await readFile(file));
}

function checkCount(options: ImportOptions): number {
  return options.check === false ? 0 : (options.check ?? 8);
}

const skipped: ImportCheck = { runtime: 'none', examples: 0, maxAbsDiff: null, ok: true, message: 'not checked (the check was turned off)' };

async function importOnnx(file: string, bytes: Uint8Array, options: ImportOptions): Promise<ImportResult> {
  const graph = readOnnx(bytes, file);
  const conversion = convertOnnxGraph(graph, file, { inputShape: options.inputShape, appendSoftmax: options.appendSoftmax });
  // Only images change layout (NCHW to channels-last); a table's (features) input stays as it is.
  const layout = conversion.channelsLastInput
    ? `input "${conversion.inputName}" channels-last (${conversion.inputShape.join(', ')}), as the file takes it`
    : conversion.onnxInputShape.length === 3
    ? `input "${conversion.inputName}" NCHW (${conversion.onnxInputShape.join(', ')}) becomes channels-last (${conversion.inputShape.join(', ')})`
    : `input "${conversion.inputName}" of ${conversion.inputShape.join(' × ')} values`;
  const notes = [`ONNX opset ${graph.opset} from ${graph.producer || 'an unknown exporter'}; ${layout}.`, ...conversion.notes];
  const facts = { source: 'onnx' as const, inputShape: conversion.inputShape };
  if (!conversion.topology) {
    let readOnly: ReadOnlyModel;
    try {
      readOnly = await ReadOnlyModel.open(bytes, graph, file, conversion.onnxInputShape, conversion.channelsLastInput);
    } catch (e) {
      throw new UnsupportedModelError(`${file}: ${conversion.unsupported.map((u) => u.message).join('; ')}; ONNX Runtime cannot open it either (${(e as Error).message.split('\n')[0]}).`, conversion.unsupported);
    }
    const b = graph.inputs[0]?.shape?.[0];
    const batch = typeof b === 'number' && b > 0 ? b : 1;
    const probe = await readOnly.predict(new Float32Array(conversion.inputShape.reduce((p, d) => p * d, 1) * batch), batch);
    const units = probe.dims.length === 2 ? probe.dims[1]! : 1;
    const { metadata, notes: more } = await importMetadata(facts, units, options, file);
    notes.push(...more, `Opened read-only in ONNX Runtime: it predicts and gives intermediate values, but cannot be trained, exported or explained with gradient methods.`);
    return {
      source: 'onnx',
      file,
      model: null,
      readOnly,
      metadata,
      topology: null,
      check: { runtime: 'none', examples: 0, maxAbsDiff: null, ok: false, message: `not converted: ${conversion.unsupported[0]!.message}${conversion.unsupported.length > 1 ? ` (and ${conversion.unsupported.length - 1} more)` : ''}` },
      unsupported: conversion.unsupported,
      notes,
      layerOf: {},
      logitsLayer: null,
    };
  }
  const model = await buildLayersModel(conversion.topology, conversion.weights, file);
  const units = Number(model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1);
  const { metadata, notes: more } = await importMetadata(facts, model.outputs[0]!.shape.length === 2 ? units : 1, options, file);
  notes.push(...more);
  let check = skipped;
  const count = checkCount(options);
  if (count > 0) {
    const original = await ReadOnlyModel.open(bytes, graph, file, conversion.onnxInputShape, conversion.channelsLastInput).catch(() => null);
    if (!original) check = { runtime: 'none', examples: 0, maxAbsDiff: null, ok: false, message: 'not checked: ONNX Runtime (onnxruntime-web) is not available or cannot run the file' };
    else {
      try {
        const compared = conversion.outputs.map((o, i) => ({ name: o.name, layer: i === 0 && conversion.logitsLayer ? conversion.logitsLayer : o.layer }));
        check = await checkOnnx(model, original, compared, metadata, count, options.tolerance ?? DEFAULT_TOLERANCE);
      } finally {
        await original.dispose();
      }
    }
  }
  return { source: 'onnx', file, model, readOnly: null, metadata, topology: conversion.topology, check, unsupported: [], notes, layerOf: conversion.layerOf, logitsLayer: conversion.logitsLayer };
}

async function importKeras(file: string, bytes: Uint8Array, source: 'keras' | 'h5', options: ImportOptions): Promise<ImportResult> {
  const keras = source === 'keras' ? readKerasArchive(bytes, file) : readKerasH5(bytes, file);
  const model = await buildLayersModel(keras.topology, keras.weights, file);
  const inputShape = (model.inputs[0]!.shape.slice(1) as (number | null)[]).map((d) => d ?? -1);
  if (inputShape.some((d) => d < 1)) {
    model.dispose();
    throw new ModelImportError(`${file}: the model's input shape (${inputShape.map((d) => (d < 1 ? 'None' : d)).join(', ')}) is not fixed; save it with a fixed input size.`);
  }
  const out = model.outputs[0]!.shape;
  const { metadata, notes } = await importMetadata({ source, inputShape, leadingRescaling: keras.leadingRescaling }, out.length === 2 ? Number(out[1] ?? 1) : 1, options, file);
  const count = checkCount(options);
  const check = count > 0 ? checkKeras(model, keras, metadata, count, options.tolerance ?? DEFAULT_TOLERANCE) : skipped;
  return {
    source,
    file,
    model,
    readOnly: null,
    metadata,
    topology: keras.topology,
    check,
    unsupported: [],
    notes: [`Keras ${keras.kerasVersion ?? '(version not recorded)'} ${source === 'keras' ? '.keras archive' : '.h5 file'}.`, ...keras.notes, ...notes],
    layerOf: {},
    logitsLayer: null,
  };
}

/** Opens a .onnx, .keras or .h5 file as a Glasswing model (see ImportResult). */
export async function importModel(file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const source = importSourceOf(file);
  if (!source) throw new ModelImportError(`${file}: Glasswing imports .onnx (PyTorch and others), .keras (Keras 3) and .h5 (Keras 2) files.`);
  const bytes = await readBytes(file);
  // Building the model needs an initialised backend: opening a file may be the engine's first act.
  await tf.ready();
  return source === 'onnx' ? importOnnx(file, bytes, options) : importKeras(file, bytes, source, options);
}

export interface AnyLoadedModel extends LoadedModel {
  /** Set when the model came from a .onnx/.keras/.h5 file. */
  imported: ImportResult | null;
}

/**
 * One function for every model a user can point at: a Glasswing/TF.js model folder or model.json
 * (engine/model-io), or a file to import. An import that could only be opened read-only is an
 * error here, since callers need a LayersModel; it names the operators.
 */
/**
 * Refuses the model files of frameworks Glasswing reads through another format, saying which:
 * PyTorch's .pt/.pth are pickled Python objects (only Python can load them), TensorFlow's
 * SavedModel .pb a graph for TensorFlow's own runtime.
 */
export function refuseOtherFormats(location: string): void {
  const ext = path.extname(location).toLowerCase();
  if (ext === '.pt' || ext === '.pth' || ext === '.ckpt') {
    throw new ModelImportError(`${path.basename(location)} is a PyTorch file (pickled Python objects), which only Python can read. Export the model to ONNX — torch.onnx.export(model, example_input, "model.onnx") — and open the .onnx file.`);
  }
  if (ext === '.pb' || ext === '.tflite') {
    throw new ModelImportError(`${path.basename(location)} is a TensorFlow ${ext === '.pb' ? 'SavedModel graph' : 'Lite model'}; save the Keras model as .keras or .h5 (model.save("model.keras")) and open that.`);
  }
}

export async function loadAnyModel(location: string, options: ImportOptions = {}): Promise<AnyLoadedModel> {
  refuseOtherFormats(location);
  if (!importSourceOf(location)) return { ...(await loadModel(location)), imported: null };
  const imported = await importModel(location, { check: 4, ...options });
  if (!imported.model) {
    await imported.readOnly?.dispose();
    throw new UnsupportedModelError(
      `${location}: ${imported.unsupported.map((u) => u.message).join('; ')}. It can only be opened read-only (predictions and intermediate values in ONNX Runtime).`,
      imported.unsupported,
    );
  }
  return { model: imported.model, metadata: imported.metadata, modelJsonPath: location, imported };
}
