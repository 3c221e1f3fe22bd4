// The CLI's training settings: flags over the app's suggestions over the defaults. Left out, the
// learning rate follows the data as in the app: 0.001 for image folders and the image samples,
// the default (0.01) for tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRAINING_DEFAULTS, TRAINING_SUGGESTIONS } from '../common/ipc/contract';
import { settingsFromFlags, suggestedFor } from './training-flags';

test('a left-out --lr follows the data the way the app suggests it', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-flags-'));
  const csv = path.join(dir, 'data.csv');
  writeFileSync(csv, 'a,b\n1,2\n');
  const images = TRAINING_SUGGESTIONS['images']!.learningRate!;
  assert.notEqual(images, TRAINING_DEFAULTS.learningRate);
  assert.equal(settingsFromFlags({}, suggestedFor(dir)).learningRate, images, 'a folder of images');
  assert.equal(settingsFromFlags({}, suggestedFor('mnist')).learningRate, TRAINING_SUGGESTIONS['mnist']!.learningRate);
  assert.equal(settingsFromFlags({}, suggestedFor('iris')).learningRate, TRAINING_SUGGESTIONS['iris']!.learningRate);
  assert.equal(settingsFromFlags({}, suggestedFor(csv)).learningRate, TRAINING_DEFAULTS.learningRate, 'a table');
  assert.equal(settingsFromFlags({}, suggestedFor(path.join(dir, 'missing'))).learningRate, TRAINING_DEFAULTS.learningRate, 'a path that does not exist');
  // A given --lr always wins; the other settings keep their defaults.
  const given = settingsFromFlags({ lr: '0.05' }, suggestedFor(dir));
  assert.equal(given.learningRate, 0.05);
  assert.equal(given.epochs, TRAINING_DEFAULTS.epochs);
  assert.equal(given.batchSize, TRAINING_DEFAULTS.batchSize);
});
