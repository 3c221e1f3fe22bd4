import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createStudy, loadStudy } from './study';
import { MedianPruner, NopPruner, nanPercentile } from './pruners';
import { RandomSampler, TpeSampler } from './samplers';
import { ParzenEstimator } from './parzen';
import { parseSpace } from './space';
import { applyParams, checkSpace } from './apply';
import { BRANIN, testObjective } from './test-functions';
import { TrialPruned } from './trial';
import { getTemplate, adaptTemplate } from '../../common/model/templates';
import { TRAINING_DEFAULTS } from '../../common/ipc/contract';

test('Parzen estimator log densities match Optuna 3.1 exactly', () => {
  // Reference values from optuna.samplers._tpe.parzen_estimator._ParzenEstimator (3.1.0, default parameters).
  const cases: [ConstructorParameters<typeof ParzenEstimator>[1], number[], number[], number[]][] = [
    [{ type: 'float', low: -5, high: 10 }, [1.0, 2.5, -3.0, 9.0, 0.1], [-4.9, 0.0, 1.2, 3.3, 9.99], REF.float],
    [{ type: 'float', low: 1e-4, high: 1e-1, log: true }, [1e-3, 2e-2, 5e-4], [1e-4, 3e-3, 0.05], REF.log],
    [{ type: 'int', low: 4, high: 64 }, [8, 16, 60], [4, 9, 33, 64], REF.int],
    [{ type: 'float', low: 0, high: 0.5, step: 0.1 }, [0.1, 0.3], [0.0, 0.2, 0.5], REF.step],
    [{ type: 'categorical', choices: [16, 32, 64] }, [0, 2, 2], [0, 1, 2], REF.cat],
  ];
  for (const [dist, obs, xs, ref] of cases) {
    const got = new ParzenEstimator(obs, dist).logPdf(xs);
    got.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 1e-12, `${JSON.stringify(dist)} at ${xs[i]}: ${v} vs ${ref[i]}`));
  }
});

test('TPE is deterministic for a seed and differs across seeds', async () => {
  const run = async (seed: number) => {
    const study = createStudy({ seed, sampler: new TpeSampler({ seed }), pruner: new NopPruner() });
    await study.optimize(testObjective(BRANIN), 20);
    return study.trials.map((t) => [t.params['x1'], t.params['x2'], t.value]);
  };
  assert.deepEqual(await run(7), await run(7));
  assert.notDeepEqual(await run(7), await run(8));
});

test('TPE beats random search on Branin', async () => {
  const seeds = [0, 1, 2, 3, 4, 5];
  const bestOf = async (kind: 'tpe' | 'random') => {
    let sum = 0;
    for (const seed of seeds) {
      const study = createStudy({ seed, sampler: kind === 'tpe' ? new TpeSampler({ seed }) : new RandomSampler(seed), pruner: new NopPruner() });
      await study.optimize(testObjective(BRANIN), 40);
      sum += study.bestTrial!.value! - BRANIN.optimum;
    }
    return sum / seeds.length;
  };
  const tpe = await bestOf('tpe');
  const random = await bestOf('random');
  assert.ok(tpe < random * 0.6, `mean regret TPE ${tpe} should be well below random ${random}`);
});

test('median pruner stops a clearly bad trial and keeps a good one (Optuna semantics)', async () => {
  const study = createStudy({ seed: 1, sampler: 'random', pruner: new MedianPruner() });
  // Five completed trials with a decreasing curve.
  for (let i = 0; i < 5; i++) {
    const t = study.ask();
    for (let step = 1; step <= 5; step++) t.report(1 / step + i * 0.01, step);
    await study.tell(t, 1 / 5 + i * 0.01);
  }
  const bad = study.ask();
  bad.report(5, 1);
  assert.equal(bad.shouldPrune(), true);
  await study.tell(bad, { state: 'pruned' });
  const good = study.ask();
  good.report(0.5, 1);
  assert.equal(good.shouldPrune(), false);
  // Not before n_startup_trials completed trials.
  const early = createStudy({ pruner: new MedianPruner() });
  for (let i = 0; i < 4; i++) {
    const t = early.ask();
    t.report(0.1, 1);
    await early.tell(t, 0.1);
  }
  const t = early.ask();
  t.report(100, 1);
  assert.equal(t.shouldPrune(), false);
  assert.equal(nanPercentile([1, 2, 3, 4], 50), 2.5);
});

test('a study resumes from its file: numbering continues, the sampler conditions on old trials', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-study-'));
  try {
    const file = path.join(dir, 'study.json');
    const objective = testObjective(BRANIN);
    const first = createStudy({ seed: 3, sampler: 'tpe', pruner: 'none', file });
    await first.optimize(objective, 12);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(saved.trials.length, 12);
    const resumed = await loadStudy(file);
    assert.equal(resumed.trials.length, 12);
    await resumed.optimize(objective, 8);
    assert.deepEqual(resumed.trials.map((t) => t.number), Array.from({ length: 20 }, (_, i) => i));
    // The same 20 trials as one uninterrupted study: the sampler saw the 12 old ones.
    const straight = createStudy({ seed: 3, sampler: 'tpe', pruner: 'none' });
    await straight.optimize(objective, 20);
    assert.deepEqual(resumed.trials.map((t) => t.params), straight.trials.map((t) => t.params));
    // A fresh TPE study with the same seed and no history samples differently from trial 12 on.
    const fresh = createStudy({ seed: 3, sampler: 'tpe', pruner: 'none' });
    const t12 = fresh.ask(BRANIN.space);
    assert.notDeepEqual(t12.params, resumed.trials[12]!.params);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).trials.length, 20);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('optimize records pruned and failed trials', async () => {
  const study = createStudy({ seed: 1, sampler: 'random', pruner: 'none' });
  let n = 0;
  await study.optimize(() => {
    n++;
    if (n === 2) throw new TrialPruned();
    if (n === 3) throw new Error('boom');
    return n;
  }, 4, { space: parseSpace('a=0:1') });
  assert.deepEqual(study.trials.map((t) => t.state), ['complete', 'pruned', 'failed', 'complete']);
  assert.equal(study.bestTrial!.number, 0);
});

test('parseSpace and applyParams set learning rate, dropout, L2, batch size and units', () => {
  const space = parseSpace('lr=1e-4:1e-1:log,dropout=0:0.5,l2=1e-6:1e-2:log,batch=16|32|64,units.dense_1=4:64');
  assert.deepEqual(space['lr'], { type: 'float', low: 1e-4, high: 1e-1, log: true });
  assert.deepEqual(space['batch'], { type: 'categorical', choices: [16, 32, 64] });
  assert.deepEqual(space['units.dense_1'], { type: 'int', low: 4, high: 64 });
  assert.throws(() => parseSpace('lr=1:0'), /must not exceed/);
  assert.throws(() => parseSpace('lr=0:1:log'), /above 0/);
  const topology = adaptTemplate(getTemplate('iris-mlp'), { inputShape: [4], task: 'classification', outputs: 3 });
  const { topology: t, settings } = applyParams(topology, TRAINING_DEFAULTS, { lr: 0.003, dropout: 0.25, l2: 1e-4, batch: 64, 'units.dense_1': 20 });
  assert.equal(settings.learningRate, 0.003);
  assert.equal(settings.batchSize, 64);
  const layers = t.config.layers;
  assert.deepEqual(layers.map((l) => l.class_name), ['Dense', 'Dropout', 'Dense', 'Dropout', 'Dense']);
  assert.equal(layers[0]!.config['units'], 20);
  assert.equal(layers[1]!.config['rate'], 0.25);
  assert.deepEqual(layers[0]!.config['kernel_regularizer'], { class_name: 'L1L2', config: { l1: 0, l2: 1e-4 } });
  assert.equal(topology.config.layers.length, 3, 'the input topology is untouched');
  assert.throws(() => applyParams(topology, TRAINING_DEFAULTS, { 'units.nope': 3 }), /no layer named "nope"/);
});

const REF = JSON.parse(
  '{"float": [-1.3421312885526908, -0.8263130260453535, -0.7860237155166726, -0.895547906122941, -1.293273745656352], "log": [-1.1532280151833267, -0.7793771901099403, -1.043804775927197], "int": [-3.7992668148588638, -3.7126873115886876, -4.228258478550952, -4.524632121554842], "step": [-1.8964921541132833, -1.5333325279328551, -2.3476918613368576], "cat": [-1.0986122886681098, -1.6582280766035324, -0.7419373447293772]}',
) as Record<'float' | 'log' | 'int' | 'step' | 'cat', number[]>;

test('a search space outside what training accepts is refused up front, naming the parameter', () => {
  const topology = adaptTemplate(getTemplate('iris-mlp'), { inputShape: [4], task: 'classification', outputs: 3 });
  const cases: [string, RegExp][] = [
    ['lr=1e-300:1e300:log', /lr: 1e\+300 is not a learning rate Glasswing trains with \(from above 0 to 10\)\.$/],
    ['epochs=-1:5', /epochs: -1 is not a number of epochs Glasswing trains with \(a whole number from 1 to 10000\)\.$/],
    ['units.dense_1=4:2147483648', /units\.dense_1: 2147483648 is not a layer size/],
    ['dropout=0:1', /dropout: 1 is not a dropout rate/],
    ['batch=16|32|0.5', /batch: 0\.5 is not a batch size/],
  ];
  for (const [text, message] of cases) assert.throws(() => checkSpace(topology, { ...TRAINING_DEFAULTS }, parseSpace(text)), message, text);
  checkSpace(topology, { ...TRAINING_DEFAULTS }, parseSpace('lr=1e-4:1e-1:log,dropout=0:0.5,l2=1e-6:1e-2:log,batch=16|32|64,units.dense_1=4:64'));
});
