import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitModelToData } from './fit-to-data';
import { adaptTemplate, getTemplate } from './templates';
import { graphFromTopology, topologyFromGraph } from './graph';
import { summarizeTopology } from './summary';

const iris = () => topologyFromGraph(graphFromTopology(adaptTemplate(getTemplate('iris-mlp'), { inputShape: [4], task: 'classification', outputs: 3 })));

test('a model that takes the data fits as it is', () => {
  assert.deepEqual(fitModelToData(iris(), { inputShape: [4], task: 'classification', outputs: 3 }, 'iris'), { ok: true });
});

test('"Your model" on another table: input and output refitted in one step, layer names kept', () => {
  const fit = fitModelToData(iris(), { inputShape: [13], task: 'classification', outputs: 3 }, 'wine.csv');
  assert.equal(fit.ok, false);
  if (fit.ok) return;
  assert.equal(fit.problem, 'The model takes inputs of shape (4); wine.csv has examples of shape (13). Fit the model to this data (input (4) → (13)).');
  assert.ok(fit.fitted);
  const s = summarizeTopology(fit.fitted!);
  assert.deepEqual(s.inputShape, [null, 13]);
  assert.deepEqual(s.outputShape, [null, 3]);
  assert.deepEqual(fit.fitted!.config.layers.map((l) => l.name ?? l.config.name), iris().config.layers.map((l) => l.name ?? l.config.name));
  // A regression target: one linear unit.
  const reg = fitModelToData(iris(), { inputShape: [4], task: 'regression', outputs: 1 }, 'houses.csv');
  assert.ok(!reg.ok && reg.fitted && /output 3 → 1 unit/.test(reg.change));
});

test('an image model on a table cannot be fitted safely: the problem says what to change, on the input layer', () => {
  const lenet = topologyFromGraph(graphFromTopology(getTemplate('lenet5')));
  const fit = fitModelToData(lenet, { inputShape: [13], task: 'classification', outputs: 3 }, 'wine.csv');
  assert.ok(!fit.ok);
  if (fit.ok) return;
  assert.equal(fit.fitted, null);
  assert.match(fit.problem, /^The model takes inputs of shape \(28, 28, 1\); wine\.csv has examples of shape \(13\) and 3 classes\. This model is made for images; choose a table template/);
  assert.equal(fit.layer, lenet.config.layers[0]!.name ?? lenet.config.layers[0]!.config.name);
});

test('an MLP made for images (Flatten first) fits a table: the Flatten goes; a Dense-first stack fits images with one', () => {
  const forImages = topologyFromGraph(graphFromTopology(adaptTemplate(getTemplate('iris-mlp'), { inputShape: [28, 28, 1], task: 'classification', outputs: 10 })));
  const fit = fitModelToData(forImages, { inputShape: [3], task: 'classification', outputs: 3 }, 'wine.csv');
  assert.ok(!fit.ok && fit.fitted);
  if (fit.ok) return;
  const s = summarizeTopology(fit.fitted!);
  assert.deepEqual(s.inputShape, [null, 3]);
  assert.deepEqual(s.outputShape, [null, 3]);
  assert.ok(!fit.fitted!.config.layers.some((l) => l.class_name === 'Flatten'));
  const back = fitModelToData(fit.fitted!, { inputShape: [28, 28, 1], task: 'classification', outputs: 10 }, 'mnist');
  assert.ok(!back.ok && back.fitted);
  if (back.ok) return;
  assert.deepEqual(summarizeTopology(back.fitted!).inputShape, [null, 28, 28, 1]);
});
