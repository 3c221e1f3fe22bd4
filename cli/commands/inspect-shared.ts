// What `glasswing featuremaps` and `glasswing gradcam` share: loading a saved model and one image
// the way the model was trained (engine/inspect/image-input-for-model.ts), and writing results.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CliError } from '../cli-error';
import { useBackend } from '../../engine/backends';
import type { GlasswingMetadata } from '../../engine/model-io';
import { loadCliModel } from './import-flags';
import { imageInputForModel, type ModelImage } from '../../engine/inspect/image-input-for-model';
import { listLayers } from '../../engine/inspect/split-model';

export interface Inspectable {
  model: tfl.LayersModel;
  metadata: GlasswingMetadata | null;
  image: ModelImage;
}

export async function loadInspectable(modelPath: string, imagePath: string, importFlags: { classes?: string; preprocess?: string } = {}): Promise<Inspectable> {
  try {
    if (!(await stat(imagePath)).isFile()) throw new CliError(`${imagePath} is not a file.`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${imagePath} does not exist.`);
  }
  await useBackend('cpu');
  const { model, metadata } = await loadCliModel(modelPath, importFlags);
  const image = await imageInputForModel(imagePath, model, metadata, path.basename(imagePath));
  return { model, metadata, image };
}

/** "conv2d_1 (28×28×6), max_pooling2d_1 (14×14×6), …" for messages. */
export function describeLayers(model: tfl.LayersModel, filter: (spatial: boolean) => boolean = () => true): string {
  return listLayers(model)
    .filter((l) => filter(l.spatial))
    .map((l) => `${l.path}${l.outputShape ? ` (${l.outputShape.join('×')})` : ''}`)
    .join(', ');
}

export function isJsonPath(p: string): boolean {
  return path.extname(p).toLowerCase() === '.json';
}

/** Writes `text` to `file`, creating its folder; a failure is one line naming the file. */
export async function writeOut(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, data);
  } catch (e) {
    throw new CliError(`Cannot write ${file}: ${(e as Error).message.split('\n')[0]}`, 1);
  }
}

export function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1 || v > 64) throw new CliError(`--${name} must be a whole number from 1 to 64; got "${value}".`);
  return v;
}
