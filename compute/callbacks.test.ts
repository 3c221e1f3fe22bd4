import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine';
import { TRAINING_DEFAULTS, type TrainingEvent } from '../common/ipc/contract';
import { getTemplate } from '../common/model/templates';
import { buildModel, compileModel } from './model-builder';
import { useBackend, tf } from '../engine/backends';
import { TrainingRun, TrainingFailure, evaluateLoss } from './training-loop';
import type { Examples } from './examples';

const base = { ...TRAINING_DEFAULTS, batchSize: 16, seed: 3, backend: 'cpu' as const };

function engineWithEvents() {
  const events: TrainingEvent[] = [];
  const engine = new Engine((channel, payload) => channel === 'training.event' && events.push(payload as TrainingEvent));
  return { engine, events };
}

test('early stopping ends the run and restores the best weights', async () => {
  const { engine, events } = engineWithEvents();
  const run = await engine.startTraining({
    model: { template: 'iris-mlp' },
    dataset: 'iris',
    settings: { ...base, epochs: 400, learningRate: 0.05, earlyStopping: { monitor: 'valLoss', patience: 5, restoreBestWeights: true } },
  });
  await run.done;
  const done = events.find((e) => e.type === 'finished');
  assert.ok(done && done.type === 'finished');
  assert.equal(done.stopped, true);
  assert.match(done.stopReason ?? '', /early stopping: valLoss has not improved for 5 epochs/);
  assert.ok(done.history.length < 400);
  const losses = done.history.map((h) => h.valLoss!);
  const bestEpoch = losses.indexOf(Math.min(...losses)) + 1;
  assert.equal(done.restoredEpoch, bestEpoch);
  assert.equal(done.history.length, bestEpoch + 5);
  const now = await evaluateLoss(run.model, run.prepared.validation, { inputShape: [4], task: 'classification', classes: run.metadata.classes });
  assert.ok(Math.abs(now.loss - losses[bestEpoch - 1]!) < 1e-5, `restored val loss ${now.loss} vs best ${losses[bestEpoch - 1]}`);
});

test('reduce-LR-on-plateau lowers the learning rate when the monitor stalls', async () => {
  const { engine, events } = engineWithEvents();
  const run = await engine.startTraining({
    model: { template: 'iris-mlp' },
    dataset: 'iris',
    settings: { ...base, epochs: 60, learningRate: 0.05, reduceLrOnPlateau: { monitor: 'valLoss', factor: 0.5, patience: 2, minLr: 0.001 } },
  });
  await run.done;
  const lrs = events.flatMap((e) => (e.type === 'epoch' ? [e.learningRate] : []));
  assert.equal(lrs[0], 0.05);
  assert.ok(lrs.some((lr) => lr < 0.05), `learning rates ${lrs.join(',')}`);
  assert.ok(lrs.every((lr) => lr >= 0.001));
  for (let i = 1; i < lrs.length; i++) assert.ok(lrs[i]! <= lrs[i - 1]!);
});

test('a NaN loss stops the run with a hint and keeps the last good weights', async () => {
  await useBackend('cpu');
  const model = await buildModel(getTemplate('iris-mlp'), 1);
  compileModel(model, 'classification', 'adam', 0.01);
  const n = 64;
  const x = Float32Array.from({ length: n * 4 }, (_, i) => Math.sin(i));
  const y = Float32Array.from({ length: n }, (_, i) => i % 3);
  const train: Examples = { x, y, count: n, indices: [] };
  let afterEpoch2: number[] = [];
  const run = new TrainingRun(model, train, { x: new Float32Array(0), y: new Float32Array(0), count: 0, indices: [] }, {
    runId: 'nan',
    epochs: 10,
    batchSize: 16,
    seed: 1,
    task: 'classification',
    classes: ['a', 'b', 'c'],
    inputShape: [4],
    onEvent: (e) => {
      if (e.type === 'epoch' && e.epoch === 2) {
        afterEpoch2 = Array.from(model.getWeights()[0]!.dataSync());
        x.fill(NaN, 0, n * 4); // the data goes bad: every later batch gives NaN
      }
    },
  });
  await assert.rejects(run.run(), (e: unknown) => {
    assert.ok(e instanceof TrainingFailure);
    assert.match((e as Error).message, /The loss became NaN at epoch 3, batch 1\. The learning rate is probably too high, or the inputs are not scaled/);
    assert.match((e as Error).message, /The weights from epoch 2, the last good one, were kept\./);
    return true;
  });
  assert.deepEqual(Array.from(model.getWeights()[0]!.dataSync()), afterEpoch2);
  assert.ok(tf.memory().numTensors < 200);
});
