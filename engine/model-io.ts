// Saves and loads the standard TF.js layers format: DIR/model.json + DIR/weights.bin, readable
// by stock `tf.loadLayersModel`. Glasswing's own facts (classes, preprocessing, the weights'
// SHA-256) ride along in `userDefinedMetadata.glasswing`. A model folder is written as a unit: the
// files go to a hidden sibling folder that is renamed into place, so a save killed at any moment
// leaves the old folder, the new one, or none — never a model.json beside another save's weights.
// Where the folder also holds files Glasswing did not write, files are replaced one by one
// (each atomically) and the weights' hash, checked on load, catches a mixed pair.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rename, rm, writeFile, stat, unlink } from 'node:fs/promises';
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
  /** SHA-256 (hex) of weights.bin as saved; loadModel refuses weights that differ. */
  weightsSha256?: string;
}

export class ModelFileError extends BadInputError {}

/** A model.json larger than this is not one (the weights live in weights.bin). */
const MODEL_JSON_MAX_BYTES = 64 * 1024 * 1024;

/** The longest file name (in UTF-8 bytes) the usual file systems (ext4, APFS, NTFS) take. */
const NAME_MAX_BYTES = 255;

/**
 * The temporary sibling `file` is written to before it is renamed into place: its own name for
 * each write (two saves of the same file at once must not share one), and no longer than a name may
 * be, so that any name that is legal itself can be written.
 */
function temporaryNameFor(file: string): string {
  const tag = `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let base = path.basename(file);
  while (Buffer.byteLength(`.${base}${tag}`) > NAME_MAX_BYTES) base = base.slice(0, -1);
  return path.join(path.dirname(file), `.${base}${tag}`);
}

/** Whether `name` is a temporary file writeFileAtomic leaves behind if killed mid-write. */
const isTemporaryName = (name: string): boolean => /^\..*\.\d+\.[0-9a-f]+\.tmp$/.test(name);

/** Writes `data` to `file` so that readers see the old file or the new one, never half of one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  if (Buffer.byteLength(path.basename(file)) > NAME_MAX_BYTES) {
    throw new BadInputError(`The name ${JSON.stringify(path.basename(file).slice(0, 40) + '…')} is too long (${Buffer.byteLength(path.basename(file))} bytes; at most ${NAME_MAX_BYTES}); choose a shorter one.`);
  }
  const tmp = temporaryNameFor(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Files Glasswing writes into a model or export folder: a folder holding only these is replaced whole. */
export const MODEL_FOLDER_FILES = new Set(['model.json', 'weights.bin', 'metrics.json', 'preprocessing.json', 'training-settings.json', 'model-card.md', 'model.onnx', 'train_keras.py', 'validation.json', 'classes.txt', 'run.json']);

/**
 * Whether a folder holding `names` holds only what Glasswing writes there (its files, the temporary
 * files of a write that was killed, and Finder's .DS_Store), and so may be replaced whole. Other
 * hidden names (.git, .env, …) are the user's, as any other file.
 */
export function isModelFolder(names: string[]): boolean {
  return names.every((n) => MODEL_FOLDER_FILES.has(n) || isTemporaryName(n) || n === '.DS_Store');
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Writes `files` (name → contents) as the folder `dir`, all or nothing: into a hidden sibling first,
 * then renamed into place. A folder with other people's files in it is updated file by file instead.
 */
export async function writeFolderAtomic(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  await mkdir(parent, { recursive: true });
  let existing: string[] | null = null;
  try {
    existing = (await stat(dir)).isDirectory() ? await readdir(dir) : null;
  } catch {
    existing = null;
  }
  if (existing && !isModelFolder(existing)) {
    // Not ours to swap: replace our files one at a time, weights first (model.json names the hash).
    const order = Object.keys(files).sort((a, b) => (a === 'model.json' ? 1 : b === 'model.json' ? -1 : 0));
    for (const name of order) await writeFileAtomic(path.join(dir, name), files[name]!);
    return;
  }
  await removeStaleSiblings(parent, base);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = path.join(parent, `.${base}.tmp-${tag}`);
  await mkdir(tmp, { recursive: true });
  try {
    for (const [name, data] of Object.entries(files)) await writeFile(path.join(tmp, name), data);
    if (existing) {
      const old = path.join(parent, `.${base}.old-${tag}`);
      await rename(dir, old);
      await rename(tmp, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, dir);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}

/** Removes what an interrupted earlier save of `base` left beside it (our hidden tmp/old folders). */
async function removeStaleSiblings(parent: string, base: string): Promise<void> {
  let names: string[] = [];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  const stale = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-\\d+-[0-9a-f]{8}$`);
  for (const n of names) if (stale.test(n)) await rm(path.join(parent, n), { recursive: true, force: true }).catch(() => undefined);
}

/** The model as TF.js layers-format files: model.json and weights.bin. */
export async function modelFiles(model: tfl.LayersModel, metadata: GlasswingMetadata): Promise<{ 'model.json': string; 'weights.bin': Uint8Array }> {
  let out: { 'model.json': string; 'weights.bin': Uint8Array } | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0));
      const glasswing = { ...metadata, weightsSha256: sha256(weights) };
      const modelJson = {
        format: 'layers-model',
        generatedBy: 'Glasswing with TensorFlow.js tfjs-layers v4.22.0',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: { ...(artifacts.userDefinedMetadata ?? {}), glasswing },
      };
      out = { 'model.json': JSON.stringify(modelJson), 'weights.bin': weights };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

/** Saves a model folder (model.json + weights.bin, and `extra` files such as metrics.json) as one unit. */
export async function saveModel(model: tfl.LayersModel, dir: string, metadata: GlasswingMetadata, extra: Record<string, string | Uint8Array> = {}): Promise<void> {
  await writeFolderAtomic(dir, { ...(await modelFiles(model, metadata)), ...extra });
}

export interface LoadedModel {
  model: tfl.LayersModel;
  metadata: GlasswingMetadata | null;
  modelJsonPath: string;
}

/**
 * The weights file `name` (from model.json's weightsManifest) in the model's folder (`folder`, its
 * real path). A model.json is data from anywhere, and its paths are opened by the engine: a name that
 * climbs out of the folder (`..`, an absolute path, a link pointing elsewhere) would read any file the
 * engine can read and hand it back as weights, so it is refused; so is anything that is not a plain file.
 */
async function weightsFileIn(folder: string, name: unknown, modelJsonPath: string): Promise<string> {
  const shown = JSON.stringify(String(name).slice(0, 120));
  const outside = new ModelFileError(`${modelJsonPath} names the weights file ${shown}, which is not in the model's folder; weights files must sit beside model.json.`);
  if (typeof name !== 'string' || name === '' || name.includes('\0') || path.isAbsolute(name) || path.win32.isAbsolute(name) || name.split(/[\\/]/).includes('..')) throw outside;
  let file: string;
  try {
    file = await realpath(path.join(folder, name));
  } catch {
    throw new ModelFileError(`${path.join(folder, name)}, named in ${path.basename(modelJsonPath)}, does not exist.`);
  }
  if (!file.startsWith(folder + path.sep)) throw outside;
  if (!(await stat(file)).isFile()) throw new ModelFileError(`${file}, named in ${path.basename(modelJsonPath)}, is not a file.`);
  return file;
}

/** Loads DIR or DIR/model.json. Every failure names the file and what is wrong. */
export async function loadModel(location: string): Promise<LoadedModel> {
  // Weights become tensors: a backend must be ready (a fresh engine process may not have one yet).
  await tf.ready();
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
  let text: string;
  try {
    const size = (await stat(modelJsonPath)).size;
    if (size > MODEL_JSON_MAX_BYTES) throw new ModelFileError(`${modelJsonPath} is ${(size / 2 ** 20).toFixed(0)} MB; a model.json holds the architecture only and is far smaller, so this is not one.`);
    text = await readFile(modelJsonPath, 'utf8');
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`${modelJsonPath} cannot be read: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : 'it does not exist or is not a file'}.`);
  }
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the file's first bytes; the file may be anything, so it is not repeated.
    throw new ModelFileError(`${modelJsonPath} is not a model.json: it is not valid JSON.`);
  }
  if (typeof json !== 'object' || json === null) throw new ModelFileError(`${modelJsonPath} is not a model.json: it is not a JSON object.`);
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelFileError(`${modelJsonPath} is not a TF.js layers model (no modelTopology or weightsManifest).`);
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  const folder = await realpath(path.dirname(modelJsonPath));
  for (const group of json.weightsManifest) {
    if (typeof group !== 'object' || group === null || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(`${modelJsonPath} is not a TF.js layers model: each weightsManifest entry needs a list of paths and a list of weights.`);
    }
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const file = await weightsFileIn(folder, p, modelJsonPath);
      try {
        const b = await readFile(file);
        buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      } catch {
        throw new ModelFileError(`${file}, named in ${path.basename(modelJsonPath)}, cannot be read.`);
      }
    }
  }
  const expected = json.userDefinedMetadata?.glasswing?.weightsSha256;
  if (expected) {
    const actual = createHash('sha256');
    for (const b of buffers) actual.update(new Uint8Array(b));
    if (actual.digest('hex') !== expected) {
      throw new ModelFileError(`${modelJsonPath} and its weights do not belong together (the weights were written by another save, or are damaged). Save or train the model again.`);
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
    // The hash belongs to these files; a model saved again gets its own.
    const { weightsSha256: _hash, ...metadata } = json.userDefinedMetadata?.glasswing ?? ({} as GlasswingMetadata);
    return { model, metadata: json.userDefinedMetadata?.glasswing ? (metadata as GlasswingMetadata) : null, modelJsonPath };
  } catch (e) {
    throw new ModelFileError(`${modelJsonPath} could not be loaded: ${(e as Error).message.split('\n')[0]!.slice(0, 300)}`);
  }
}
