// The tuning domain through the engine's handlers: a search streams trials and saves a study that
// can be listed, opened (best configuration applied) and resumed; a stop ends it; export writes a
// trained run and checks it on the validation split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine } from '../engine';
import { TRAINING_DEFAULTS, type Events } from '../../common/ipc/contract';
import { Router } from '../../common/ipc/router';

type Got = { [E in keyof Events]?: Events[E][] };

function setup() {
  const got: Got = {};
  const waiters: { event: keyof Events; pred: (p: unknown) => boolean; resolve: (p: unknown) => void }[] = [];
  const engine = new Engine((event, payload) => {
    ((got[event] ??= []) as unknown[]).push(payload);
    for (const w of [...waiters]) {
      if (w.event === event && w.pred(payload)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(payload);
      }
    }
  });
  const next = <E extends keyof Events>(event: E, pred: (p: Events[E]) => boolean = () => true) =>
    new Promise<Events[E]>((resolve) => waiters.push({ event, pred: pred as (p: unknown) => boolean, resolve: resolve as (p: unknown) => void }));
  return { engine, got, next };
}

const settings = { ...TRAINING_DEFAULTS, epochs: 8, batchSize: 16, learningRate: 0.01, backend: 'cpu' as const };
const space = { lr: { type: 'float' as const, low: 1e-3, high: 1e-1, log: true }, 'units.dense_1': { type: 'int' as const, low: 4, high: 16 }, dropout: { type: 'float' as const, low: 0, high: 0.3 } };

test('tuning.start runs a study, tuning.list/open show it with the best configuration applied, and a name resumes it', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-tune-svc-'));
  process.env['GLASSWING_PROJECTS_DIR'] = dir;
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { engine, got, next } = setup();
  const h = engine.handlers;
  const finished = next('tuning.finished');
  const started = await h['tuning.start']({ model: { template: 'iris-mlp' }, dataset: 'iris', settings, space, nTrials: 4, sampler: 'tpe', pruner: 'median', seed: 3, studyName: 'iris-test' });
  assert.equal(started.name, 'iris-test');
  assert.equal(started.resumedTrials, 0);
  await assert.rejects(h['tuning.start']({ model: { template: 'iris-mlp' }, dataset: 'iris', settings, space, nTrials: 1, sampler: 'tpe', pruner: 'median', seed: 3 }), /already running/);
  const done = await finished;
  assert.equal(done.failed, null);
  assert.equal(got['tuning.trial']!.length, 4);
  assert.ok((got['tuning.epoch'] ?? []).length >= 8, 'epoch events');
  assert.ok(done.best, 'a best trial');
  const dense1 = done.best.topology.config.layers.find((l) => (l.config.name ?? l.name) === 'dense_1')!;
  assert.equal(dense1.config['units'], done.best.params['units.dense_1']);
  assert.equal(done.best.settings.learningRate, done.best.params['lr']);

  const list = await h['tuning.list']({});
  assert.equal(list.studies.length, 1);
  assert.equal(list.studies[0]!.name, 'iris-test');
  assert.equal(list.studies[0]!.trials, 4);
  const opened = await h['tuning.open']({ name: 'iris-test' });
  assert.equal(opened.trialList.length, 4);
  assert.deepEqual(opened.best?.params, done.best.params);
  assert.ok(opened.base && opened.space['lr']);
  assert.ok(opened.trialList.every((tr) => tr.history.length > 0));

  // The same name continues the study: numbering goes on.
  const again = next('tuning.finished');
  const resumed = await h['tuning.start']({ model: { template: 'iris-mlp' }, dataset: 'iris', settings, space, nTrials: 2, sampler: 'tpe', pruner: 'median', seed: 3, studyName: 'iris-test' });
  assert.equal(resumed.resumedTrials, 4);
  await again;
  assert.deepEqual(got['tuning.trial']!.slice(4).map((e) => e.number), [4, 5]);
  await assert.rejects(h['tuning.open']({ name: 'nope' }), /no study/);
});

test('tuning.stop ends a search after the current epoch', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-tune-svc-'));
  process.env['GLASSWING_PROJECTS_DIR'] = dir;
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { engine, got, next } = setup();
  const finished = next('tuning.finished');
  const { studyId } = await engine.handlers['tuning.start']({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...settings, epochs: 30 }, space, nTrials: 50, sampler: 'random', pruner: 'none', seed: 1 });
  await next('tuning.epoch');
  await engine.handlers['tuning.stop']({ studyId });
  const done = await finished;
  assert.equal(done.stopped, true);
  assert.ok((got['tuning.trial'] ?? []).length <= 2);
});

test('the router refuses malformed tuning payloads', async () => {
  const { engine } = setup();
  const router = new Router(engine.handlers, { isTrustedSender: () => true });
  const bad = [
    ['tuning.start', { model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...settings, epochs: 0 }, space, nTrials: 1, sampler: 'tpe', pruner: 'median', seed: 1 }],
    ['tuning.start', { model: { template: 'iris-mlp' }, dataset: 'iris', settings, space: {}, nTrials: 1, sampler: 'tpe', pruner: 'median', seed: 1 }],
    ['tuning.start', { model: { template: 'iris-mlp' }, dataset: 'iris', settings, space, nTrials: 1, sampler: 'grid', pruner: 'median', seed: 1 }],
    ['tuning.open', { name: '../../etc/passwd' }],
    ['export.model', { runId: 'r', format: 'pickle', dir: 'x' }],
  ] as const;
  for (const [channel, payload] of bad) {
    const reply = await router.handle(channel, payload, { origin: 'test' });
    assert.equal(reply.ok ? 'ok' : reply.error.code, 'invalid-payload', `${channel} ${JSON.stringify(payload).slice(0, 80)}`);
  }
});

test('export.model writes a trained run as TF.js and ONNX and checks it on the validation split', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-export-svc-'));
  process.env['GLASSWING_PROJECTS_DIR'] = dir;
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { engine } = setup();
  const run = await engine.startTraining({ model: { template: 'iris-mlp' }, dataset: 'iris', settings: { ...settings, epochs: 10 } });
  await run.done;
  const tfjs = await engine.handlers['export.model']({ runId: run.runId, format: 'tfjs', dir: 'iris-tfjs' });
  assert.equal(tfjs.outDir, path.join(dir, 'exports', 'iris-tfjs'));
  assert.ok(tfjs.files.includes('model.json') && tfjs.files.includes('weights.bin'));
  assert.equal(tfjs.check.examples, 30, 'the validation split (30 of 150)');
  assert.ok(tfjs.check.ok && tfjs.check.maxAbsDiff !== null && tfjs.check.maxAbsDiff < 1e-5, tfjs.check.message);
  const onnx = await engine.handlers['export.model']({ runId: run.runId, format: 'onnx', dir: path.join(dir, 'abs-onnx') });
  assert.ok(onnx.files.includes('model.onnx'));
  assert.ok(onnx.check.ok, onnx.check.message);
  assert.ok((await readdir(path.join(dir, 'abs-onnx'))).includes('model-card.md'));
  await assert.rejects(engine.handlers['export.model']({ runId: 'run-none', format: 'tfjs', dir: 'x' }), /no training run/);
  // The engine's own stores are not export targets, confirmed or not: a run's folder would lose its model and record.
  for (const target of [path.join(dir, 'runs', run.runId), '../runs/x', path.join(dir, 'uploads'), path.join(dir, 'studies', 's'), dir]) {
    await assert.rejects(engine.handlers['export.model']({ runId: run.runId, format: 'tfjs', dir: target, overwrite: true }), /where Glasswing keeps its|the Glasswing folder itself/, target);
  }
});
