// The model domain: templates and model summaries, and what a person does with a trained run —
// predict on raw values or an image (the model's own preprocessing applied), describe it for the
// predict panel, list the test examples behind a confusion-matrix cell.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelDescription, Prediction } from '../../common/ipc/contract';
import type { Handlers } from '../../common/ipc/router';
import { BadInputError } from '../../common/bad-input';
import { summarizeTopology } from '../../common/model/summary';
import { listTemplates } from '../../common/model/templates';
import { imageForModel } from '../image-input';
import { predictAll } from '../../compute/training-loop';
import { tf } from '../backends';
import type { Preprocessing } from '../datasets/dataset';
import { applyPreprocessing, preprocessRawRows } from '../datasets/prepare';
import { gatherInputs } from '../../compute/examples';
import type { GlasswingMetadata } from '../model-io';
import type { EngineContext } from '../core/context';
import { readingOptions } from '../core/data-cache';
import { loadModelFile, resolveModel } from './model-source';
import { summarizeLayersModel } from '../import';

export type ModelHandlers = Pick<Handlers, 'templates.list' | 'model.summary' | 'model.predict' | 'model.describe' | 'model.predictImage' | 'model.examples'>;

/** A small grayscale/RGB PNG data URL of raw pixels (0–255), drawn without any DOM. */
async function thumbnail(pixels: ArrayLike<number>, h: number, w: number, c: number): Promise<string> {
  const { default: sharp } = await import('sharp');
  const bytes = Uint8Array.from({ length: h * w * c }, (_, i) => Math.max(0, Math.min(255, Math.round(pixels[i]!))));
  const png = await sharp(bytes, { raw: { width: w, height: h, channels: c as 1 | 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Raw inputs in, class probabilities out: the model's own preprocessing is applied. */
export function predictRaw(model: tfl.LayersModel, metadata: GlasswingMetadata, inputs: (number | string | null)[][]): Prediction {
  const p = metadata.preprocessing as Preprocessing;
  // Tables with categorical columns take one raw value per column and are one-hot encoded here.
  const columns = p.kind === 'table' && p.columns ? p.columns.length : metadata.inputShape.reduce((a, b) => a * b, 1);
  inputs.forEach((row, i) => {
    if (row.length !== columns) {
      throw new BadInputError(
        `Input ${i + 1} has ${row.length} value${row.length === 1 ? '' : 's'}; the model expects ${columns}${p.kind === 'table' && p.columns ? ` (${p.columns.map((c) => c.name).join(', ')})` : ` (shape ${metadata.inputShape.join('×')})`}.`,
      );
    }
  });
  let x: Float32Array;
  if (p.kind === 'table') x = preprocessRawRows(inputs, p);
  else {
    const bad = inputs.flat().findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) throw new BadInputError(`Image inputs must be numbers (pixels 0–255); value ${bad + 1} is not.`);
    x = applyPreprocessing(Float32Array.from(inputs.flat() as number[]), p);
  }
  const probs = tf.tidy(() => (model.predict(tf.tensor(x, [inputs.length, ...metadata.inputShape])) as tf.Tensor).arraySync() as number[][]);
  return {
    classes: metadata.classes,
    probabilities: probs,
    predicted: probs.map((p) => (p.length === 1 ? p[0]! : p.indexOf(Math.max(...p)))),
  };
}

export function modelHandlers(ctx: EngineContext): ModelHandlers {
  return {
    'templates.list': async () => listTemplates(),
    'model.summary': async (p) => {
      const reading = readingOptions({ ...(p.options ? { labelColumn: p.options.labelColumn, categorical: p.options.categorical, ignore: p.options.ignore, badValues: p.options.badValues, imageHeight: p.options.height, imageWidth: p.options.width, color: p.options.color } : {}), ...(p.labelColumn ? { labelColumn: p.labelColumn } : {}) });
      if ('file' in p.model) {
        const file = await loadModelFile(p.model, ctx.places);
        try {
          return { ...summarizeLayersModel(file.model), topology: file.topology };
        } finally {
          file.model.dispose();
        }
      }
      const dataset = p.dataset ? await ctx.data.load(p.dataset, reading) : null;
      const topology = await resolveModel(p.model, dataset);
      return { ...summarizeTopology(topology), topology };
    },
    'model.predict': async ({ runId, inputs }) => {
      const r = await ctx.runs.ended(runId);
      return predictRaw(r.model, r.metadata, inputs);
    },
    'model.describe': async ({ runId }) => {
      const r = await ctx.runs.get(runId);
      const p = r.metadata.preprocessing;
      const columns: ModelDescription['columns'] =
        p.kind === 'table'
          ? (p.columns ?? p.featureNames.map((name) => ({ name, type: 'numeric' as const }))).map((c, i) => ({
              name: c.name,
              type: c.type,
              ...(c.type === 'categorical' && 'categories' in c ? { categories: c.categories as string[] } : {}),
              ...(c.type === 'numeric' && p.mean[i] !== undefined && !p.columns ? { example: Number(p.mean[i]!.toPrecision(3)) } : {}),
            }))
          : [];
      return { runId, task: r.metadata.task, kind: p.kind, classes: r.metadata.classes, inputShape: r.metadata.inputShape, columns };
    },
    'model.predictImage': async ({ runId, imageBase64 }) => {
      const r = await ctx.runs.ended(runId);
      if (r.metadata.preprocessing.kind !== 'image') throw new BadInputError('This model reads table rows, not images.');
      const bytes = Buffer.from(imageBase64.replace(/^data:[^,]*,/, ''), 'base64');
      const pixels = await imageForModel(bytes, r.metadata.inputShape, 'the image');
      return predictRaw(r.model, r.metadata, [Array.from(pixels)]);
    },
    'model.examples': async ({ runId, actual, predicted, limit }) => {
      const r = await ctx.runs.ended(runId);
      const test = r.prepared.test;
      const inputShape = r.metadata.inputShape;
      const predictedAll = await predictAll(r.model, test, inputShape);
      const matches: number[] = [];
      for (let i = 0; i < test.count; i++) if (test.y[i] === actual && predictedAll[i] === predicted) matches.push(i);
      const size = inputShape.reduce((a, b) => a * b, 1);
      const chosen = matches.slice(0, limit);
      const confidences = chosen.length
        ? tf.tidy(() => {
            const rows = gatherInputs(test, chosen, size);
            const probs = r.model.predict(tf.tensor(rows, [chosen.length, ...inputShape])) as tf.Tensor;
            return Array.from(tf.max(probs, -1).dataSync());
          })
        : [];
      const examples = await Promise.all(
        chosen.map(async (i, k) => {
          const row = test.indices[i]!;
          const raw = r.dataset.x.subarray(row * size, (row + 1) * size);
          const isImage = r.dataset.kind === 'images' && inputShape.length === 3;
          return {
            index: row,
            confidence: confidences[k]!,
            thumbnail: isImage ? await thumbnail(raw, inputShape[0]!, inputShape[1]!, inputShape[2]!) : null,
            values: isImage ? null : Array.from(raw, (v) => Number(v.toPrecision(4))),
          };
        }),
      );
      return { examples, total: matches.length };
    },
  };
}
