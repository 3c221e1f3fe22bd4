// Saves and loads the standard TF.js layers format: DIR/model.json + DIR/weights.bin, readable
// by stock `tf.loadLayersModel`. Glasswing's own facts (classes, preprocessing) ride along in
// `userDefinedMetadata.glasswing`. Writes are atomic: temp files, then rename.
import { mkdir, readFile, rename, writeFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './backends';
import type { Preprocessing, Task } from './datasets/dataset';
import { BadInputError } from '../common/bad-input';

export interface GlasswingMetadata {
  formatVersion: 1;
  task: Task;
  classes: string[];
  inputShape: number[];
  preprocessing: Preprocessing;
  dataset?: string;
}

export class ModelFileError extends BadInputError {}

/** Writes `data` to `file` so that readers see the old file or the new one, never half of one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

export async function saveModel(model: tfl.LayersModel, dir: string, metadata: GlasswingMetadata): Promise<void> {
  await mkdir(dir, { recursive: true });
  model.setUserDefinedMetadata({ glasswing: metadata as unknown as Record<string, unknown> });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const modelJson = {
        format: 'layers-model',
        generatedBy: 'Glasswing with TensorFlow.js tfjs-layers v4.22.0',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: artifacts.userDefinedMetadata,
      };
      // weights first: a model.json never points at weights that are not there yet.
      await writeFileAtomic(path.join(dir, 'weights.bin'), new Uint8Array(weightData));
      await writeFileAtomic(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

export interface LoadedModel {
  model: tfl.LayersModel;
  metadata: GlasswingMetadata | null;
  modelJsonPath: string;
}

/** Loads DIR or DIR/model.json. Every failure names the file and what is wrong. */
export async function loadModel(location: string): Promise<LoadedModel> {
  let modelJsonPath = location;
  try {
    if ((await stat(location)).isDirectory()) modelJsonPath = path.join(location, 'model.json');
  } catch {
    throw new ModelFileError(`${location} does not exist.`);
  }
  let json: {
    modelTopology?: unknown;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: { glasswing?: GlasswingMetadata };
    trainingConfig?: unknown;
  };
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  } catch (e) {
    throw new ModelFileError(`${modelJsonPath} is not a readable model.json: ${(e as Error).message}`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelFileError(`${modelJsonPath} is not a TF.js layers model (no modelTopology or weightsManifest).`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const file = path.join(path.dirname(modelJsonPath), p);
      try {
        const b = await readFile(file);
        buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      } catch {
        throw new ModelFileError(`${file}, named in ${path.basename(modelJsonPath)}, cannot be read.`);
      }
    }
  }
  try {
    const model = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as never,
        weightSpecs,
        weightData: tf.io.CompositeArrayBuffer.join(buffers),
        userDefinedMetadata: json.userDefinedMetadata as never,
      }),
    );
    return { model, metadata: json.userDefinedMetadata?.glasswing ?? null, modelJsonPath };
  } catch (e) {
    throw new ModelFileError(`${modelJsonPath} could not be loaded: ${(e as Error).message}`);
  }
}
