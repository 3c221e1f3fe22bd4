// Exports a trained model as TF.js files, ONNX, or a tf.keras script, each with its preprocessing,
// class order and a model card beside it, and ends with a check: the validation examples go
// through the exported file (reloaded in TF.js, or run in ONNX Runtime) and the largest absolute
// difference from the in-app predictions is reported.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import type { EpochRecord, EvaluationMetrics, TrainingSettings } from '../../common/ipc/contract';
import { loadModel, modelFiles, writeFileAtomic, writeFolderAtomic, type GlasswingMetadata } from '../model-io';
import { seededRandom } from '../../compute/random';
import { kerasScript } from './keras-script';
import { modelCard, type ModelCardInput } from './model-card';
import { exportOnnxBytes, ExportError, ONNX_OPSET } from './onnx';
import { loadOnnxRuntime, runOnnx } from './onnx-runtime';

export type ExportFormat = 'tfjs' | 'onnx' | 'keras-script';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['tfjs', 'onnx', 'keras-script'];

export interface ExportOptions {
  model: tfl.LayersModel;
  metadata: GlasswingMetadata;
  format: ExportFormat;
  outDir: string;
  /** Preprocessed examples (count × product(inputShape)) for the check; default `randomExamples` random inputs. */
  validation?: { x: Float32Array; count: number };
  /** How many random inputs check the export when no `validation` is given (default 8). */
  randomExamples?: number;
  settings?: Partial<TrainingSettings> | null;
  history?: EpochRecord[] | null;
  test?: EvaluationMetrics | null;
  /** A regression model's test metrics, for the model card. */
  regression?: ModelCardInput['regression'];
  /** Largest acceptable difference (default 1e-4); a bigger one is reported as not ok. */
  tolerance?: number;
}

export interface ExportCheck {
  /** What ran the exported file: 'tfjs', 'onnxruntime-web', or 'python (syntax only)'. */
  runtime: string;
  examples: number;
  /** Largest |exported − in-app| over all outputs; null when the check could not run. */
  maxAbsDiff: number | null;
  ok: boolean;
  message: string;
}

export interface ExportResult {
  format: ExportFormat;
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
  check: ExportCheck;
}

function validationInputs(options: ExportOptions): { x: Float32Array; count: number } {
  if (options.validation && options.validation.count > 0) return options.validation;
  const size = options.metadata.inputShape.reduce((a, b) => a * b, 1);
  const random = seededRandom(12345);
  const count = Math.max(1, options.randomExamples ?? 8);
  // Model inputs are standardised, so standard-normal-ish values are typical inputs.
  const x = Float32Array.from({ length: count * size }, () => (random() + random() + random() - 1.5) * 2);
  return { x, count };
}

function predict(model: tfl.LayersModel, x: Float32Array, count: number, inputShape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, [count, ...inputShape])) as tf.Tensor).dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function pyCompile(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('/usr/bin/python3', ['-c', 'import sys; compile(open(sys.argv[1], encoding="utf-8").read(), sys.argv[1], "exec")', file], { timeout: 20_000 }, (err, _out, stderr) => {
      if (!err) resolve(null);
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT') resolve('no /usr/bin/python3');
      else resolve(String(stderr || err.message).trim().split('\n').pop() ?? 'syntax error');
    });
  });
}

export async function exportModel(options: ExportOptions): Promise<ExportResult> {
  const { model, metadata, format } = options;
  if (!EXPORT_FORMATS.includes(format)) throw new ExportError(`Unknown export format "${format}"; use ${EXPORT_FORMATS.join(', ')}.`);
  const outDir = path.resolve(options.outDir);
  const tolerance = options.tolerance ?? 1e-4;
  // Everything but the model card is written as one folder (all or nothing); the card, which
  // reports the check of those files, follows.
  const files: Record<string, string | Uint8Array> = {};
  const { x, count } = validationInputs(options);
  const expected = predict(model, x, count, metadata.inputShape);
  const layout = metadata.inputShape.length === 3 ? 'NHWC (batch, height, width, channels)' : `(batch, ${metadata.inputShape.join(', ')})`;
  files['preprocessing.json'] =
    JSON.stringify({ task: metadata.task, classes: metadata.classes, inputShape: metadata.inputShape, inputLayout: layout, preprocessing: metadata.preprocessing, dataset: metadata.dataset ?? null }, null, 2) + '\n';
  if (options.settings) files['training-settings.json'] = JSON.stringify(options.settings, null, 2) + '\n';
  if (format === 'tfjs' || format === 'keras-script') {
    Object.assign(files, await modelFiles(model, metadata));
    if (format === 'keras-script') {
      files['validation.json'] = JSON.stringify({ inputs: Array.from(x), outputs: Array.from(expected), count }) + '\n';
      files['train_keras.py'] = kerasScript(model, { metadata, settings: options.settings });
    }
  } else {
    files['model.onnx'] = exportOnnxBytes(model, {
      docString: `Exported by Glasswing. Input ${layout}, preprocessed as in preprocessing.json. Classes: ${metadata.classes.join(', ')}.`,
      metadata: { classes: JSON.stringify(metadata.classes), preprocessing: JSON.stringify(metadata.preprocessing), task: metadata.task },
    });
  }
  await writeFolderAtomic(outDir, files);

  let check: ExportCheck;
  if (format === 'tfjs' || format === 'keras-script') {
    const reloaded = await loadModel(outDir);
    try {
      const got = predict(reloaded.model, x, count, metadata.inputShape);
      const diff = maxAbsDiff(expected, got);
      check = { runtime: 'tfjs', examples: count, maxAbsDiff: diff, ok: diff <= tolerance, message: `model.json + weights.bin reloaded in TF.js: largest difference ${diff.toExponential(2)} over ${count} examples` };
    } finally {
      reloaded.model.dispose();
    }
    if (format === 'keras-script') {
      const syntax = await pyCompile(path.join(outDir, 'train_keras.py'));
      const ok = check.ok && syntax === null;
      check = { ...check, ok, message: `${check.message}; train_keras.py ${syntax === null ? 'compiles in python3; TensorFlow is needed to run it' : syntax === 'no /usr/bin/python3' ? 'not syntax-checked (no /usr/bin/python3)' : `has a syntax error: ${syntax}`}` };
    }
  } else if (!loadOnnxRuntime()) {
    check = { runtime: 'none', examples: 0, maxAbsDiff: null, ok: false, message: 'model.onnx written, but not checked: onnxruntime-web is not installed' };
  } else {
    const fromFile = new Uint8Array(await readFile(path.join(outDir, 'model.onnx')));
    const got = await runOnnx(fromFile, x, count, metadata.inputShape);
    const diff = maxAbsDiff(expected, got.values);
    check = { runtime: 'onnxruntime-web', examples: count, maxAbsDiff: diff, ok: diff <= tolerance, message: `model.onnx (opset ${ONNX_OPSET}) run in ONNX Runtime: largest difference ${diff.toExponential(2)} over ${count} examples` };
  }
  await writeFileAtomic(
    path.join(outDir, 'model-card.md'),
    modelCard({ model, metadata, settings: options.settings, history: options.history, test: options.test, regression: options.regression, format, notes: [`${check.message}${check.ok ? '' : ` (tolerance ${tolerance})`}.`] }),
  );
  return { format, outDir, files: [...Object.keys(files), 'model-card.md'], check };
}
