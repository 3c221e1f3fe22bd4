// Engine handlers for what a person does with a trained run: describe it for the predict form,
// predict on an image, list the test examples behind a confusion-matrix cell, and time backends.
import { ContractError, type ModelDescription } from '../../common/ipc/contract';
import type { Handlers } from '../../common/ipc/router';
import type { Engine } from '../engine';
import { imageForModel } from '../image-input';
import { predictAll } from '../trainer';
import { runBench } from '../bench/bench';
import { listBackends } from '../backends';
import { tf } from '../backends';

export type RunHandlers = Pick<Handlers, 'model.describe' | 'model.predictImage' | 'model.examples' | 'backend.bench'>;

/** A small grayscale/RGB PNG data URL of raw pixels (0–255), drawn without any DOM. */
async function thumbnail(pixels: ArrayLike<number>, h: number, w: number, c: number): Promise<string> {
  const { default: sharp } = await import('sharp');
  const bytes = Uint8Array.from({ length: h * w * c }, (_, i) => Math.max(0, Math.min(255, Math.round(pixels[i]!))));
  const png = await sharp(bytes, { raw: { width: w, height: h, channels: c as 1 | 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

export function runHandlers(engine: Engine): RunHandlers {
  return {
    'model.describe': async ({ runId }) => {
      const r = engine.getRun(runId);
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
      const r = engine.getRun(runId);
      if (r.state === 'training') await r.done;
      if (r.metadata.preprocessing.kind !== 'image') throw new ContractError('bad-input', 'This model reads table rows, not images.');
      const bytes = Buffer.from(imageBase64.replace(/^data:[^,]*,/, ''), 'base64');
      let pixels: Float32Array;
      try {
        pixels = await imageForModel(bytes, r.metadata.inputShape, 'the image');
      } catch (e) {
        throw new ContractError('bad-input', (e as Error).message);
      }
      return engine.predictRaw(r.model, r.metadata, [Array.from(pixels)]);
    },
    'model.examples': async ({ runId, actual, predicted, limit }) => {
      const r = engine.getRun(runId);
      if (r.state === 'training') await r.done;
      const test = r.prepared.test;
      const inputShape = r.metadata.inputShape;
      const predictedAll = predictAll(r.model, test, inputShape);
      const matches: number[] = [];
      for (let i = 0; i < test.count; i++) if (test.y[i] === actual && predictedAll[i] === predicted) matches.push(i);
      const size = inputShape.reduce((a, b) => a * b, 1);
      const chosen = matches.slice(0, limit);
      const confidences = chosen.length
        ? tf.tidy(() => {
            const rows = Float32Array.from(chosen.flatMap((i) => Array.from(test.x.subarray(i * size, (i + 1) * size))));
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
    'backend.bench': async ({ backend, seconds }) =>
      engine.exclusive(async () => {
        const status = listBackends().find((b) => b.name === backend);
        if (!status?.available) throw new ContractError('bad-input', `The ${backend} backend is not available: ${status?.reason ?? 'unknown'}.`);
        const report = await runBench({ models: ['lenet5'], backends: [backend], seconds: seconds / 2, pytorch: false, epochSamples: 0 });
        const row = report.results[0];
        if (!row) throw new ContractError('internal', `The ${backend} backend produced no measurement.`);
        return { backend, device: status.device ?? backend, model: 'lenet5', trainSamplesPerSec: row.trainSamplesPerSec, inferSamplesPerSec: row.inferSamplesPerSec };
      }),
  };
}
