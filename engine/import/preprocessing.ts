// What an imported model expects its pixels to look like, and what its outputs are called. A file
// rarely says either, so Glasswing guesses the convention of where it came from and says so:
//  - PyTorch (ONNX) with 3 input channels: torchvision's ImageNet normalisation,
//    (pixel/255 − mean) / std with mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225);
//  - Keras: pixel/255, unless the model starts with a Rescaling layer, which then does the
//    scaling itself and gets raw 0–255 pixels;
//  - anything else (1-channel ONNX): pixel/255.
// Callers override with a preset or their own numbers, and give class names from a file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImagePreprocessing, Preprocessing, Task } from '../datasets/dataset';
import type { GlasswingMetadata } from '../model-io';
import { ModelImportError } from './errors';

export type PreprocessPreset = 'imagenet' | 'unit' | 'none';
export const PREPROCESS_PRESETS: readonly PreprocessPreset[] = ['imagenet', 'unit', 'none'];

export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];

export function presetPreprocessing(preset: PreprocessPreset, height: number, width: number, channels: 1 | 3): ImagePreprocessing {
  switch (preset) {
    case 'imagenet':
      if (channels !== 3) throw new ModelImportError(`ImageNet preprocessing needs 3 input channels; the model takes ${channels}.`);
      return { kind: 'image', height, width, channels, scale: 1 / 255, mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD] };
    case 'unit':
      return { kind: 'image', height, width, channels, scale: 1 / 255, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
    case 'none':
      return { kind: 'image', height, width, channels, scale: 1, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
  }
}

export interface PreprocessingFacts {
  source: 'onnx' | 'keras' | 'h5';
  /** Glasswing's input shape without the batch: [h, w, c] for images. */
  inputShape: number[];
  /** A Rescaling layer right after the input (Keras): the model scales pixels itself. */
  leadingRescaling?: { scale: number; offset: number } | null;
}

const PRESET_WORDS: Record<PreprocessPreset, string> = {
  imagenet: 'pixel/255, then ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) (torchvision)',
  unit: 'pixel/255, so values from 0 to 1',
  none: 'raw 0–255 values, unscaled',
};

/** The default preprocessing for an imported model, and a note saying which and why. */
export function defaultPreprocessing(facts: PreprocessingFacts, override?: PreprocessPreset | ImagePreprocessing): { preprocessing: Preprocessing; note: string } {
  const shape = facts.inputShape;
  if (shape.length !== 3 || (shape[2] !== 1 && shape[2] !== 3)) {
    if (override) throw new ModelImportError(`The model takes inputs of shape (${shape.join(', ')}), not images; image preprocessing does not apply.`);
    const size = shape.reduce((a, b) => a * b, 1);
    return {
      preprocessing: { kind: 'table', featureNames: Array.from({ length: size }, (_, i) => `x${i}`), mean: new Array(size).fill(0), std: new Array(size).fill(1), scaling: 'none' },
      note: 'Inputs are used as given (no scaling).',
    };
  }
  const [h, w, c] = shape as [number, number, 1 | 3];
  if (override && typeof override === 'object') {
    if (override.channels !== c || override.mean.length !== c || override.std.length !== c) throw new ModelImportError(`The given preprocessing is for ${override.channels} channels; the model takes ${c}.`);
    return { preprocessing: { ...override, height: h, width: w }, note: 'Preprocessing as given.' };
  }
  if (override) return { preprocessing: presetPreprocessing(override, h, w, c), note: `Pixels as you chose: ${PRESET_WORDS[override]}.` };
  if (facts.leadingRescaling) {
    const { scale, offset } = facts.leadingRescaling;
    return {
      preprocessing: presetPreprocessing('none', h, w, c),
      note: `The model starts with a Rescaling layer (x·${+scale.toPrecision(6)} + ${+offset.toPrecision(6)}), so it takes raw 0–255 pixels.`,
    };
  }
  if (facts.source === 'onnx' && c === 3) {
    return { preprocessing: presetPreprocessing('imagenet', h, w, c), note: 'Assumed torchvision ImageNet preprocessing: pixel/255, then mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225); override it if the model was trained otherwise.' };
  }
  return {
    preprocessing: presetPreprocessing('unit', h, w, c),
    note: facts.source === 'onnx' ? 'Assumed pixel/255 (a 1-channel model); override it if the model was trained with other scaling.' : 'Assumed pixel/255 (the model has no Rescaling layer); override it if it was trained otherwise.',
  };
}

/** Class names from a .txt file (one per line) or a .json array of strings. */
export async function readClassesFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ModelImportError(`The classes file ${file} cannot be read.`);
  }
  if (path.extname(file).toLowerCase() === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new ModelImportError(`The classes file ${file} is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((c) => typeof c === 'string' || typeof c === 'number')) {
      throw new ModelImportError(`The classes file ${file} must hold a JSON array of class names, e.g. ["cat", "dog"].`);
    }
    return parsed.map(String);
  }
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

export interface MetadataOptions {
  preprocess?: PreprocessPreset | ImagePreprocessing;
  classes?: string[];
  classesFile?: string;
}

/**
 * The preprocessing.json that Glasswing's export writes beside its model.onnx (task, classes, input
 * shape and preprocessing), when it is there and fits the model; else null.
 */
async function exportedPreprocessing(facts: PreprocessingFacts, outputs: number, file: string): Promise<Pick<GlasswingMetadata, 'task' | 'classes' | 'preprocessing'> | null> {
  let json: { task?: unknown; classes?: unknown; inputShape?: unknown; preprocessing?: Record<string, unknown> };
  try {
    const text = await readFile(path.join(path.dirname(file), 'preprocessing.json'), 'utf8');
    if (text.length > 16 * 2 ** 20) return null;
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const numbers = (v: unknown, n?: number) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && (n === undefined || v.length === n);
  const p = json?.preprocessing;
  const size = facts.inputShape.reduce((a, b) => a * b, 1);
  const [h, w, c] = facts.inputShape;
  const fits =
    (json.task === 'classification' ? Array.isArray(json.classes) && json.classes.length === outputs && json.classes.every((x) => typeof x === 'string') : json.task === 'regression' && outputs === 1) &&
    numbers(json.inputShape) && (json.inputShape as number[]).join() === facts.inputShape.join() &&
    typeof p === 'object' && p !== null &&
    (p['kind'] === 'image'
      ? facts.inputShape.length === 3 && p['height'] === h && p['width'] === w && p['channels'] === c && typeof p['scale'] === 'number' && numbers(p['mean'], c) && numbers(p['std'], c)
      : p['kind'] === 'table' && numbers(p['mean'], size) && numbers(p['std'], size) && Array.isArray(p['featureNames']) && p['featureNames'].length === size);
  if (!fits) return null;
  return { task: json.task as Task, classes: json.task === 'classification' ? (json.classes as string[]) : [], preprocessing: p as unknown as GlasswingMetadata['preprocessing'] };
}

/** Glasswing metadata for an imported model with `outputs` units in its (first) output. */
export async function importMetadata(facts: PreprocessingFacts, outputs: number, options: MetadataOptions, file: string): Promise<{ metadata: GlasswingMetadata; notes: string[] }> {
  // A model Glasswing exported keeps its classes and scaling in preprocessing.json beside it: used
  // unless the user gave their own.
  const exported = options.preprocess || options.classes || options.classesFile ? null : await exportedPreprocessing(facts, outputs, file);
  if (exported) {
    return {
      metadata: { formatVersion: 1, ...exported, inputShape: facts.inputShape, dataset: `imported from ${path.basename(file)}` },
      notes: [`Classes and preprocessing from preprocessing.json beside ${path.basename(file)} (written by Glasswing's export).`],
    };
  }
  const { preprocessing, note } = defaultPreprocessing(facts, options.preprocess);
  const task: Task = outputs > 1 ? 'classification' : 'regression';
  let classes = options.classes ?? (options.classesFile ? await readClassesFile(options.classesFile) : null);
  const notes = [note];
  if (classes) {
    if (task === 'classification' && classes.length !== outputs) {
      throw new ModelImportError(`${options.classesFile ?? 'The class list'} names ${classes.length} classes; ${file} has ${outputs} outputs.`);
    }
    if (new Set(classes).size !== classes.length) throw new ModelImportError(`${options.classesFile ?? 'The class list'} names a class twice.`);
  } else if (task === 'classification') {
    classes = Array.from({ length: outputs }, (_, i) => `class ${i}`);
    notes.push(`Classes are numbered "class 0" … "class ${outputs - 1}"; give a classes file to name them.`);
  } else {
    classes = [];
  }
  return {
    metadata: { formatVersion: 1, task, classes, inputShape: facts.inputShape, preprocessing, dataset: `imported from ${path.basename(file)}` },
    notes,
  };
}
