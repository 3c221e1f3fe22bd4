// The inspect service on a real run: LeNet-5 trained one short epoch on MNIST, then every handler
// through the contract's router (schemas included), checked against engine/inspect directly.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Engine, type RunRecord } from '../engine';
import { Router } from '../../common/ipc/router';
import type { Events, RequestChannel, RequestPayload, ResponseOf, TrainingSettings } from '../../common/ipc/contract';
import type { InspectSnapshot } from '../../common/ipc/domains/inspect';
import { computeCam, featureMaps, filters, listLayers } from '../inspect';
import { inspectRecorders } from './inspect-service';

const settings: TrainingSettings = { epochs: 1, batchSize: 64, learningRate: 0.001, optimizer: 'adam', validationSplit: 0.1, testSplit: 0.1, seed: 1, backend: 'cpu' };

const events: { event: keyof Events; payload: unknown }[] = [];
const engine = new Engine((event, payload) => events.push({ event, payload }));
const router = new Router(engine.handlers, { isTrustedSender: () => true });
let run: RunRecord;

async function call<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ResponseOf<C>> {
  const reply = await router.handle(channel, payload, { origin: 'test' });
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.value as ResponseOf<C>;
}

async function fails(channel: RequestChannel, payload: unknown): Promise<{ code: string; message: string }> {
  const reply = await router.handle(channel, payload, { origin: 'test' });
  assert.equal(reply.ok, false);
  return (reply as { ok: false; error: { code: string; message: string } }).error;
}

const close = (a: number, b: number, tol = 1e-3) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

before(async () => {
  run = await engine.startTraining({ model: { template: 'lenet5' }, dataset: 'mnist', settings });
  await run.done;
  assert.equal(run.state, 'finished');
});

test('runs and layers describe the trained LeNet-5', async () => {
  const runs = await call('inspect.runs', {});
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.runId, run.runId);
  assert.equal(runs[0]!.image, true);
  assert.equal(runs[0]!.epochs, 1);
  const l = await call('inspect.layers', { runId: run.runId });
  assert.deepEqual(l.layers.map((x) => x.path), listLayers(run.model).map((x) => x.path));
  const conv = l.layers.find((x) => x.hasFilters)!;
  assert.equal(l.firstConv, conv.path);
  assert.deepEqual(conv.outputShape, [28, 28, 6]);
  assert.equal(conv.channels, 6);
  assert.equal(l.defaultTarget, 'max_pooling2d_2');
  assert.equal(l.noConvMessage, null);
  assert.ok(l.camMethods.some((m) => m.name === 'gradcam') && l.camMethods.some((m) => m.name === 'gradcampp'));
  assert.deepEqual(l.classes, run.metadata.classes);
  assert.equal((await fails('inspect.layers', { runId: 'nope' })).code, 'not-found');
});

test('the gallery lists test predictions, filters wrong ones and sorts by confidence', async () => {
  const all = await call('inspect.samples', { runId: run.runId, limit: 10 });
  assert.equal(all.total, run.prepared.test.count);
  assert.equal(all.items.length, 10);
  assert.equal(all.counts.all, all.counts.right + all.counts.wrong);
  const item = all.items[3]!;
  assert.equal(item.index, 3);
  assert.equal(item.label, run.prepared.test.y[3]);
  assert.equal(item.thumbnail!.width, 28);
  assert.equal(Buffer.from(item.thumbnail!.pixels, 'base64').length, 784);
  const direct = run.model.predict(
    (await import('../backends')).tf.tensor(run.prepared.test.x.subarray(3 * 784, 4 * 784), [1, 28, 28, 1]),
  ) as import('@tensorflow/tfjs-core').Tensor;
  const probs = Array.from(direct.dataSync());
  direct.dispose();
  assert.equal(item.predicted, probs.indexOf(Math.max(...probs)));
  assert.ok(close(item.confidence, Math.max(...probs)));
  const wrong = await call('inspect.samples', { runId: run.runId, filter: 'wrong', sort: 'confidence-desc', limit: 200 });
  assert.equal(wrong.total, all.counts.wrong);
  assert.ok(wrong.items.every((x) => x.label !== x.predicted));
  for (let i = 1; i < wrong.items.length; i++) assert.ok(wrong.items[i - 1]!.confidence >= wrong.items[i]!.confidence);
  const sevens = await call('inspect.samples', { runId: run.runId, classIndex: 7, sort: 'confidence-asc', limit: 200 });
  assert.ok(sevens.total > 0 && sevens.items.every((x) => x.label === 7));
  for (let i = 1; i < sevens.items.length; i++) assert.ok(sevens.items[i - 1]!.confidence <= sevens.items[i]!.confidence);
  const page2 = await call('inspect.samples', { runId: run.runId, offset: 10, limit: 5 });
  assert.deepEqual(page2.items.map((x) => x.index), [10, 11, 12, 13, 14]);
});

test('feature maps and filters agree with engine/inspect, with pagination', async () => {
  const sample = { split: 'test' as const, index: 0 };
  const input = run.prepared.test.x.subarray(0, 784);
  const fm = await call('inspect.featureMaps', { runId: run.runId, sample, layer: 'conv2d_1' });
  const ref = featureMaps(run.model, input, 'conv2d_1');
  assert.deepEqual(fm.shape, [28, 28, 6]);
  assert.equal(fm.total, 6);
  assert.equal(fm.count, 6);
  assert.equal(fm.data.length, 28 * 28 * 6);
  for (let i = 0; i < fm.data.length; i += 97) assert.ok(close(fm.data[i]!, ref.data[i]!), `value ${i}`);
  assert.ok(close(fm.max, Math.max(...ref.data)));
  assert.ok(close(fm.min, Math.min(...ref.data)));
  assert.equal(fm.sample.label, run.prepared.test.y[0]);
  assert.equal(fm.sample.image!.width, 28);
  // A page of channels 2..4 of the 16 of conv2d_2.
  const page = await call('inspect.featureMaps', { runId: run.runId, sample, layer: 'conv2d_2', offset: 2, limit: 3 });
  const ref2 = featureMaps(run.model, input, 'conv2d_2');
  assert.equal(page.total, 16);
  assert.equal(page.count, 3);
  assert.equal(page.data.length, 10 * 10 * 3);
  assert.ok(close(page.data[5 * 3 + 1]!, ref2.data[5 * 16 + 3]!));
  // A dense layer: its units.
  const dense = await call('inspect.featureMaps', { runId: run.runId, sample, layer: 'dense_2' });
  assert.equal(dense.shape.length, 1);
  assert.equal(dense.data.length, dense.total);

  const f = await call('inspect.filters', { runId: run.runId, layer: 'conv2d_2', offset: 4, limit: 2 });
  const fr = filters(run.model, 'conv2d_2');
  assert.deepEqual(f.shape, [5, 5, 6, 16]);
  assert.equal(f.count, 2);
  assert.equal(f.data.length, 5 * 5 * 6 * 2);
  assert.ok(close(f.data[7 * 2 + 1]!, fr.data[7 * 16 + 5]!));
  assert.ok(close(f.bias![0]!, fr.bias![4]!));
  assert.match((await fails('inspect.filters', { runId: run.runId, layer: 'dense_1' })).message, /no convolution filters/);
});

test('CAMs for two classes, a dropped image file, and the sanity check', async () => {
  const sample = { split: 'test' as const, index: 1 };
  const input = run.prepared.test.x.subarray(784, 2 * 784);
  const a = await call('inspect.cam', { runId: run.runId, sample, method: 'gradcam' });
  const ref = computeCam({ model: run.model, input, method: 'gradcam' });
  assert.equal(a.layer, 'max_pooling2d_2');
  assert.equal(a.classIndex, a.sample.predicted);
  assert.deepEqual(a.shape, ref.shape);
  a.cam.forEach((v, i) => assert.ok(close(v, ref.cam[i]!), `cam ${i}`));
  const other = (a.classIndex + 1) % 10;
  const b = await call('inspect.cam', { runId: run.runId, sample, classIndex: other, method: 'gradcampp', layer: 'conv2d_2' });
  assert.equal(b.classIndex, other);
  assert.deepEqual(b.shape, [10, 10]);
  assert.match((await fails('inspect.cam', { runId: run.runId, sample, method: 'nope' })).message, /Unknown CAM method/);

  // A PNG from disk goes through the CLI's image path (decode, resize, preprocessing).
  const [h, w] = [28, 28];
  const raw = Buffer.from(run.dataset.x.subarray(run.prepared.test.indices[1]! * 784, (run.prepared.test.indices[1]! + 1) * 784));
  const big = await sharp(raw, { raw: { width: w, height: h, channels: 1 } }).resize(56, 56).png().toBuffer();
  const dropped = await call('inspect.cam', { runId: run.runId, sample: { imageBase64: big.toString('base64'), name: 'digit.png' } });
  assert.equal(dropped.sample.label, null);
  assert.equal(dropped.sample.image!.width, 28);
  assert.equal(dropped.sample.predicted, a.sample.predicted);
  const fmDropped = await call('inspect.featureMaps', { runId: run.runId, sample: { imageBase64: big.toString('base64') }, layer: 'conv2d_1' });
  assert.deepEqual(fmDropped.shape, [28, 28, 6]);
  assert.equal((await fails('inspect.cam', { runId: run.runId, sample: { imageBase64: Buffer.from('not an image').toString('base64') } })).code, 'bad-input');

  const s = await call('inspect.sanity', { runId: run.runId, sample });
  assert.equal(s.layer, 'max_pooling2d_2');
  assert.ok(s.steps.length >= 3);
  assert.equal(s.original.length, 25);
  assert.ok(s.summary.length > 20);
});

test('the shortcut audit covers the validation and test splits', async () => {
  const r = await call('inspect.audit', { runId: run.runId, top: 5 });
  assert.equal(r.count, run.prepared.validation.count + run.prepared.test.count);
  assert.equal(r.ranked.length, 5);
  assert.equal(r.classes.length, 10);
  assert.equal(r.ranked[0]!.cam.length, r.shape[0] * r.shape[1]);
  assert.ok(r.ranked[0]!.suspicion >= r.ranked[4]!.suspicion);
  assert.ok(Array.isArray(r.warnings));
});

test('pinned samples get a snapshot per epoch, at a small cost to training', async () => {
  const pinned = await call('inspect.pin', { runId: run.runId, samples: [0, 5] });
  assert.equal(pinned.pinned.length, 2);
  assert.equal(pinned.pinned[0]!.datasetIndex, run.prepared.test.indices[0]);
  events.length = 0;
  const run2 = await engine.startTraining({ model: { template: 'lenet5' }, dataset: 'mnist', settings: { ...settings, epochs: 2 } });
  await run2.done;
  const live = events.filter((e) => e.event === 'inspect.snapshot').map((e) => e.payload as InspectSnapshot);
  assert.deepEqual(live.map((s) => s.epoch), [0, 0, 1, 1, 2, 2]);
  // Each snapshot arrives before its epoch's training event.
  const order = events.filter((e) => e.event === 'inspect.snapshot' || (e.event === 'training.event' && (e.payload as { type: string }).type === 'epoch'));
  assert.equal(order[2]!.event, 'inspect.snapshot');
  assert.equal(order[4]!.event, 'training.event');
  const snap = live.at(-1)!;
  assert.equal(snap.runId, run2.runId);
  assert.deepEqual(snap.featureMaps!.shape, [28, 28, 6]);
  assert.equal(snap.cam!.classIndex, snap.label);
  // The last snapshot equals a fresh computation on the final weights.
  const input = run2.prepared.test.x.subarray(5 * 784, 6 * 784);
  const ref = featureMaps(run2.model, input, 'conv2d_1');
  for (let i = 0; i < ref.data.length; i += 101) assert.ok(close(snap.featureMaps!.data[i]!, ref.data[i]!));
  const stored = await call('inspect.snapshots', { runId: run2.runId });
  assert.equal(stored.snapshots.length, 6);
  assert.equal(stored.pinned.length, 2);
  const spent = inspectRecorders.get(engine.bus)!.spentMs.get(run2.runId)!;
  const trained = run2.history.reduce((a, h) => a + h.seconds * 1000, 0);
  console.log(`# snapshots: ${spent.toFixed(0)} ms for 6 snapshots over ${trained.toFixed(0)} ms of training (${((100 * spent) / trained).toFixed(2)}%)`);
  assert.ok(spent < 0.05 * trained, `snapshots took ${spent} ms of ${trained} ms`);
  // Unpinning stops them.
  assert.equal((await call('inspect.pin', { runId: run.runId, samples: [] })).pinned.length, 0);
});

test('a table model: no conv layer, a clear message', async () => {
  const iris = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...settings, epochs: 2, batchSize: 16 } });
  await iris.done;
  const l = await call('inspect.layers', { runId: iris.runId });
  assert.equal(l.defaultTarget, null);
  assert.match(l.noConvMessage!, /no convolutional layer/);
  assert.equal(l.image, false);
  const fm = await call('inspect.featureMaps', { runId: iris.runId, sample: { split: 'test', index: 0 }, layer: l.layers[0]!.path });
  assert.equal(fm.shape.length, 1);
  assert.equal(fm.sample.image, null);
  assert.match((await fails('inspect.cam', { runId: iris.runId, sample: { split: 'test', index: 0 } })).message, /trained on a table/);
});
