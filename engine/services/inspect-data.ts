// What the inspect service needs from a run: its examples by split and position (preprocessed for
// the model, raw pixels for drawing), dropped image files decoded the CLI's way, predictions of
// the test split (cached once the run is finished), and the plain, JSON-friendly forms of arrays
// and images that travel over the contract.
import type { GalleryItem, InspectSplit, PixelImage, SampleRef } from '../../common/ipc/domains/inspect';
import { BadInputError } from '../../common/bad-input';
import type { RunRecord } from '../core/run-record';
import { exampleInputs } from '../../compute/examples';
import { tf } from '../backends';
import { imageInputForModel } from '../inspect';

export interface ResolvedSample {
  /** The preprocessed example, one model input. */
  input: Float32Array;
  /** Pixels for drawing (model-sized), or null when the data are not images. */
  image: PixelImage | null;
  label: number | null;
  split: InspectSplit | null;
  index: number | null;
  datasetIndex: number | null;
}

/** Rounds to 5 significant digits: smaller JSON, far below what the eye sees on a map. */
export function plain(values: ArrayLike<number>): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = Number.isFinite(v) ? (v === 0 ? 0 : Number(v.toPrecision(5))) : 0;
  }
  return out;
}

export function range(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length ? { min, max } : { min: 0, max: 0 };
}

/** The run trains on images (h × w × 1 or 3, image preprocessing). */
export function isImageRun(run: RunRecord): boolean {
  const s = run.metadata.inputShape;
  return run.metadata.preprocessing.kind === 'image' && s.length === 3 && (s[2] === 1 || s[2] === 3);
}

export function pixelImage(pixels: ArrayLike<number>, height: number, width: number, channels: number): PixelImage {
  const bytes = new Uint8Array(height * width * channels);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(pixels[i]!)));
  return { width, height, channels: channels === 3 ? 3 : 1, pixels: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

/** The raw pixels of source row `datasetIndex` as a PixelImage (image runs only). */
export function datasetImage(run: RunRecord, datasetIndex: number): PixelImage | null {
  if (!isImageRun(run)) return null;
  const [h, w, c] = run.metadata.inputShape as [number, number, number];
  const size = h * w * c;
  return pixelImage(run.dataset.x.subarray(datasetIndex * size, (datasetIndex + 1) * size), h, w, c);
}

export function exampleSize(run: RunRecord): number {
  return run.prepared.inputShape.reduce((a, b) => a * b, 1);
}

export function splitOf(run: RunRecord, split: InspectSplit) {
  return run.prepared[split];
}

export function inputAt(run: RunRecord, split: InspectSplit, index: number): Float32Array {
  const ex = splitOf(run, split);
  if (run.dataError) throw new BadInputError(run.dataError);
  if (index >= ex.count) throw new BadInputError(`The ${split} split of this run has ${ex.count} examples; there is no example ${index}.`);
  return exampleInputs(ex, index, 1, exampleSize(run));
}

/** Every model input of a split, one after another. */
export function gatherSplit(run: RunRecord, split: InspectSplit): Float32Array {
  const ex = splitOf(run, split);
  return exampleInputs(ex, 0, ex.count, exampleSize(run));
}

/** The preprocessed input of source row `datasetIndex` (any split: preprocessing is the run's own). */
export function datasetInput(run: RunRecord, datasetIndex: number): Float32Array | null {
  for (const split of ['test', 'validation', 'train'] as const) {
    const pos = splitOf(run, split).indices.indexOf(datasetIndex);
    if (pos >= 0) return inputAt(run, split, pos);
  }
  return null;
}

export async function resolveSample(run: RunRecord, ref: SampleRef): Promise<ResolvedSample> {
  if ('split' in ref) {
    const input = inputAt(run, ref.split, ref.index);
    const ex = splitOf(run, ref.split);
    const datasetIndex = ex.indices[ref.index]!;
    return { input, image: datasetImage(run, datasetIndex), label: Math.round(ex.y[ref.index]!), split: ref.split, index: ref.index, datasetIndex };
  }
  if (!isImageRun(run)) throw new BadInputError('This run was trained on a table, not on images: drop an image onto an image model.');
  const bytes = Buffer.from(ref.imageBase64, 'base64');
  if (bytes.length === 0) throw new BadInputError('The dropped file is empty.');
  const m = await imageInputForModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), run.model, run.metadata, ref.name);
  return { input: m.input, image: pixelImage(m.image.pixels, m.image.height, m.image.width, m.image.channels), label: null, split: null, index: null, datasetIndex: null };
}

/** Class probabilities for `count` examples stored one after another. */
export function predictProbabilities(run: RunRecord, inputs: Float32Array, count: number): Float32Array {
  const shape = run.prepared.inputShape;
  const size = exampleSize(run);
  const out: Float32Array[] = [];
  let k = 0;
  for (let start = 0; start < count; start += 256) {
    const n = Math.min(256, count - start);
    const p = tf.tidy(() => run.model.predict(tf.tensor(inputs.subarray(start * size, (start + n) * size), [n, ...shape]), { batchSize: 256 }) as tf.Tensor);
    const v = p.dataSync() as Float32Array;
    k = v.length / n;
    out.push(v.slice());
    p.dispose();
  }
  const all = new Float32Array(count * k);
  let at = 0;
  for (const o of out) {
    all.set(o, at);
    at += o.length;
  }
  return all;
}

export function argmaxOf(values: ArrayLike<number>, from: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (values[from + j]! > values[from + best]!) best = j;
  return best;
}

export interface Predictions {
  probabilities: Float32Array;
  classes: number;
  predicted: Int32Array;
  confidence: Float32Array;
}

const cache = new WeakMap<RunRecord, Predictions>();

/** The run's predictions on its test split (recomputed while it trains, cached once finished). */
export function testPredictions(run: RunRecord): Predictions {
  const cached = cache.get(run);
  if (cached && run.state !== 'training') return cached;
  const test = run.prepared.test;
  const probabilities = predictProbabilities(run, gatherSplit(run, 'test'), test.count);
  const k = test.count ? probabilities.length / test.count : run.metadata.classes.length;
  const predicted = new Int32Array(test.count);
  const confidence = new Float32Array(test.count);
  for (let i = 0; i < test.count; i++) {
    predicted[i] = argmaxOf(probabilities, i * k, k);
    confidence[i] = probabilities[i * k + predicted[i]!]!;
  }
  const p = { probabilities, classes: k, predicted, confidence };
  if (run.state !== 'training') cache.set(run, p);
  return p;
}

export function galleryItem(run: RunRecord, p: Predictions, index: number): GalleryItem {
  const test = run.prepared.test;
  const datasetIndex = test.indices[index]!;
  return {
    split: 'test',
    index,
    datasetIndex,
    label: Math.round(test.y[index]!),
    predicted: p.predicted[index]!,
    confidence: p.confidence[index]!,
    probabilities: plain(p.probabilities.subarray(index * p.classes, (index + 1) * p.classes)),
    thumbnail: datasetImage(run, datasetIndex),
  };
}
