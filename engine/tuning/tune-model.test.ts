import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { tuneModel, type TuneTrialEvent } from './tune-model';
import { parseSpace } from './space';

test('tunes the Iris MLP (learning rate, dropout, L2) and resumes from the study file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-tune-'));
  try {
    const studyFile = path.join(dir, 'study.json');
    const events: TuneTrialEvent[] = [];
    const started = performance.now();
    const result = await tuneModel({
      template: 'iris-mlp',
      dataset: 'iris',
      space: parseSpace('lr=1e-4:1e-1:log,dropout=0:0.5,l2=1e-6:1e-2:log'),
      settings: { epochs: 15, batchSize: 16, backend: 'cpu' },
      nTrials: 10,
      sampler: 'tpe',
      seed: 2,
      studyFile,
      onTrial: (e) => events.push(e),
    });
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 60, `10 trials took ${seconds} s`);
    assert.equal(events.length, 10);
    assert.ok(result.best && result.best.value < 0.6, `best validation loss ${result.best?.value}`);
    assert.ok(result.bestModel, 'the best model is kept');
    assert.equal(result.best!.settings.learningRate, result.best!.params['lr']);
    assert.ok(result.best!.topology.config.layers.some((l) => l.class_name === 'Dropout'));
    for (const e of events.filter((x) => x.state === 'complete')) assert.equal(e.history.length, 15);
    for (const e of events.filter((x) => x.state === 'pruned')) assert.ok(e.history.length < 15);
    result.bestModel!.model.dispose();

    const resumed = await tuneModel({ template: 'iris-mlp', dataset: 'iris', settings: { epochs: 15, backend: 'cpu' }, nTrials: 2, seed: 2, studyFile, keepBestModel: false });
    assert.equal(resumed.study.trials.length, 12);
    assert.deepEqual(resumed.newTrials.map((t) => t.number), [10, 11]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
