import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine } from './engine';
import type { TrainingEvent } from '../common/ipc/contract';
import { TRAINING_DEFAULTS } from '../common/ipc/contract';
import { loadModel } from './model-io';

function collect() {
  const events: TrainingEvent[] = [];
  const engine = new Engine((channel, payload) => {
    if (channel === 'training.event') events.push(payload as TrainingEvent);
  });
  return { engine, events };
}

const irisSettings = { ...TRAINING_DEFAULTS, epochs: 100, batchSize: 16, learningRate: 0.01, seed: 1, backend: 'cpu' as const };

test('the Iris MLP trains to at least 90% test accuracy and streams epoch events', async () => {
  const { engine, events } = collect();
  const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: irisSettings });
  await run.done;
  const epochs = events.filter((e) => e.type === 'epoch');
  assert.equal(epochs.length, 100);
  const finished = events.find((e) => e.type === 'finished');
  assert.ok(finished && finished.type === 'finished');
  assert.ok(finished.test, 'test metrics');
  assert.ok(finished.test.accuracy >= 0.9, `test accuracy ${finished.test.accuracy}`);
  assert.equal(finished.test.confusion.flat().reduce((a, b) => a + b, 0), 30);
  assert.ok(epochs.at(-1)!.type === 'epoch' && epochs.at(-1)!.loss < epochs[0]!.loss!);
});

test('the same seed gives the same run on the same backend', async () => {
  const losses: number[][] = [];
  for (let i = 0; i < 2; i++) {
    const { engine, events } = collect();
    const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...irisSettings, epochs: 5 } });
    await run.done;
    losses.push(events.flatMap((e) => (e.type === 'epoch' ? [e.loss] : [])));
  }
  assert.deepEqual(losses[0], losses[1]);
});

test('a saved model reloads and predicts the same classes from raw values', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-model-'));
  try {
    const { engine } = collect();
    const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...irisSettings, epochs: 30 } });
    await run.done;
    await engine.saveRun(run.runId, dir);
    const loaded = await loadModel(dir);
    assert.ok(loaded.metadata);
    const rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]];
    const a = engine.predictRaw(run.model, run.metadata, rows);
    const b = engine.predictRaw(loaded.model, loaded.metadata!, rows);
    assert.deepEqual(a.predicted, b.predicted);
    assert.equal(a.classes[a.predicted[0]!], 'setosa');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pause holds training and resume continues it; stop ends it early', async () => {
  const { engine, events } = collect();
  const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...irisSettings, epochs: 2000 } });
  await new Promise((r) => setTimeout(r, 100));
  run.run!.pause();
  await new Promise((r) => setTimeout(r, 50));
  const during = events.filter((e) => e.type === 'epoch').length;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(events.filter((e) => e.type === 'epoch').length, during, 'no epochs while paused');
  run.run!.resume();
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(events.filter((e) => e.type === 'epoch').length > during, 'epochs after resume');
  run.run!.stop();
  await run.done;
  const finished = events.find((e) => e.type === 'finished');
  assert.ok(finished && finished.type === 'finished' && finished.stopped);
});

test('bad input gets a message naming what is wrong', async () => {
  const { engine } = collect();
  await assert.rejects(engine.handlers['training.start']({ model: { template: 'nope' }, dataset: 'iris', settings: irisSettings }), /Unknown template "nope"/);
  await assert.rejects(engine.handlers['training.start']({ model: { template: 'iris-mlp' }, dataset: '/no/such.csv', settings: irisSettings }), /does not exist/);
  await assert.rejects(engine.handlers['training.start']({ model: { template: 'lenet5' }, dataset: 'iris', settings: irisSettings }), /made for images/);
});

test('image augmentation runs on the fly and changes what the model sees, not the data', async () => {
  const losses: number[][] = [];
  for (const augment of [undefined, { flip: true, rotation: 15, shift: 0.1, zoom: 0.1 }]) {
    const { engine, events } = collect();
    const run = await engine.startTraining({
      model: { template: 'lenet5' },
      dataset: 'watermark',
      settings: { ...irisSettings, epochs: 1, batchSize: 32, learningRate: 0.001, ...(augment ? { augment } : {}) },
    });
    const before = Float32Array.from(run.prepared.train.x.subarray(0, 784));
    await run.done;
    assert.deepEqual(Array.from(run.prepared.train.x.subarray(0, 784)), Array.from(before), 'training data untouched');
    losses.push(events.flatMap((e) => (e.type === 'epoch' ? [e.loss] : [])));
  }
  assert.notDeepEqual(losses[0], losses[1]);
});
