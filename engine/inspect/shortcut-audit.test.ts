// The shortcut audit on a model trained on the built-in watermark set: the classes differ only by
// a faint corner mark, the model learns the mark, and the audit must rank the marked class's
// images at the top and warn about that class.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, useBackend } from '../backends';
import { applyPreprocessing } from '../datasets/prepare';
import { shortcutAudit } from './shortcut-audit';
import { buildModel } from '../../compute/model-builder';
import { adaptTemplate, getTemplate } from '../../common/model/templates';
import { watermarkBox, watermarkDataset, WATERMARK_DATASET_INFO } from '../datasets/watermark';

before(async () => {
  await useBackend('cpu');
});

test('the watermark dataset is deterministic, balanced, and differs only in the corner', () => {
  const a = watermarkDataset({ count: 40, seed: 3 });
  const b = watermarkDataset({ count: 40, seed: 3 });
  assert.deepEqual(a.x, b.x);
  assert.notDeepEqual(watermarkDataset({ count: 40, seed: 4 }).x, a.x);
  assert.deepEqual(a.inputShape, WATERMARK_DATASET_INFO.inputShape);
  assert.deepEqual(a.classes, WATERMARK_DATASET_INFO.classes);
  assert.equal(watermarkDataset().count, WATERMARK_DATASET_INFO.examples);
  assert.equal(a.y.filter((v) => v === 1).length, 20);
  assert.ok(a.x.every((v) => v >= 0 && v <= 255 && Number.isInteger(v)));
  assert.equal(a.fixedPreprocessing?.kind, 'image');
  // Outside the mark's box, both classes come from the same distribution: same mean brightness.
  const box = watermarkBox(28);
  const big = watermarkDataset({ count: 400, seed: 9 });
  const mean = (cls: number, inBox: boolean) => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < big.count; i++) {
      if (big.y[i] !== cls) continue;
      for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
        const inside = r >= box.y0 && r < box.y1 && c >= box.x0 && c < box.x1;
        if (inside !== inBox) continue;
        s += big.x[i * 784 + r * 28 + c]!;
        n++;
      }
    }
    return s / n;
  };
  assert.ok(Math.abs(mean(0, false) - mean(1, false)) < 3, `outside the mark: ${mean(0, false)} vs ${mean(1, false)}`);
  assert.ok(mean(1, true) - mean(0, true) > 30, 'the mark brightens its box');
});

test('the audit puts the watermarked class at the top', async () => {
  const t0 = Date.now();
  const train = watermarkDataset({ count: 300, seed: 1 });
  const p = train.fixedPreprocessing!;
  // The lenet5 template, as a user would train it on this dataset in the app.
  const model = await buildModel(adaptTemplate(getTemplate('lenet5'), { inputShape: [28, 28, 1], task: 'classification', outputs: 2 }), 1);
  model.compile({ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tf.tensor(applyPreprocessing(train.x, p), [train.count, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(Array.from(train.y), 'int32'), 2);
  await model.fit(xs, ys, { epochs: 8, batchSize: 32, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);
  const trainMs = Date.now() - t0;

  const held = watermarkDataset({ count: 60, seed: 2 });
  const before = tf.memory().numTensors;
  const report = shortcutAudit({ model, inputs: applyPreprocessing(held.x, p), count: held.count, labels: held.y, classes: held.classes });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  const [a, b] = report.classes as [(typeof report.classes)[0], (typeof report.classes)[0]];
  const top = report.ranked.slice(0, 30);
  const topMarked = top.filter((im) => im.label === 1).length;
  console.log(
    `# audit: accuracy A ${a.accuracy} B ${b.accuracy}; marked images in the top 30 of 60: ${topMarked}; ` +
      `suspicion A ${a.meanSuspicion.toFixed(2)} B ${b.meanSuspicion.toFixed(2)}; outside-centre A ${a.meanOutsideCentre.toFixed(2)} B ${b.meanOutsideCentre.toFixed(2)} (uniform ${report.uniform.outsideCentre.toFixed(2)}); ` +
      `corners A ${a.meanCorners.toFixed(2)} B ${b.meanCorners.toFixed(2)}; consistency A ${a.consistency?.toFixed(2)} B ${b.consistency?.toFixed(2)}; ` +
      `B peaks at the ${b.peak.where}; warnings ${JSON.stringify(report.warnings)} (training ${trainMs} ms)`,
  );
  assert.ok(b.accuracy >= 0.9 && a.accuracy >= 0.9, 'the model learnt the mark');
  assert.ok(report.ranked.slice(0, 20).every((im) => im.label === 1), 'the 20 most suspicious images are all marked');
  assert.ok(topMarked >= 28, `marked images in the top 30: ${topMarked}`);
  assert.ok(b.meanSuspicion > a.meanSuspicion + 0.3);
  assert.equal(report.method, 'layercam');
  assert.equal(report.layer, 'max_pooling2d_2');
  assert.equal(b.peak.where, 'bottom-right corner');
  assert.ok((b.consistency ?? 0) > (a.consistency ?? 0));
  assert.equal(report.warnings.length, 1);
  assert.match(report.warnings[0]!, /^Class "B": .*bottom-right corner/);
  assert.deepEqual(report.shape, [5, 5]);
  assert.deepEqual(report.inputSize, [28, 28]);
});
