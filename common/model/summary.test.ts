import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTemplate, adaptTemplate, listTemplates } from './templates';
import { summarizeTopology } from './summary';
import { graphFromTopology, topologyFromGraph } from './graph';

test('templates report the parameter counts Keras does', () => {
  const expected: Record<string, number> = { 'iris-mlp': 191, 'mnist-mlp': 203_530, lenet5: 61_706 };
  for (const [id, params] of Object.entries(expected)) {
    const s = summarizeTopology(getTemplate(id));
    assert.deepEqual(s.errors, []);
    assert.equal(s.totalParams, params, id);
    assert.equal(s.trainableParams, params, id);
  }
});

test('LeNet-5 output shapes follow Keras', () => {
  const s = summarizeTopology(getTemplate('lenet5'));
  const shapes = s.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.outputShape);
  assert.deepEqual(shapes, [
    [null, 28, 28, 6], [null, 14, 14, 6], [null, 10, 10, 16], [null, 5, 5, 16], [null, 400], [null, 120], [null, 84], [null, 10],
  ]);
});

test('a layer that cannot take its input gets a learner-friendly message, not an exception', () => {
  const t = getTemplate('lenet5');
  t.config.layers.splice(2, 0, { class_name: 'Flatten', config: { name: 'oops' } });
  const s = summarizeTopology(t);
  const err = s.errors.find((e) => e.layer === 'conv2d_2');
  assert.ok(err, JSON.stringify(s.errors));
  assert.match(err.message, /Conv2D needs an input of shape \(height, width, channels\); it gets \(None, 1176\)\. Add a Reshape or remove the Flatten above it\./);
});

test('adaptTemplate fits input and output to the data', () => {
  const mlp = adaptTemplate(getTemplate('mnist-mlp'), { inputShape: [28, 28, 1], task: 'classification', outputs: 10 });
  const s = summarizeTopology(mlp);
  assert.deepEqual(s.errors, []);
  assert.equal(s.totalParams, 203_530);
  const reg = adaptTemplate(getTemplate('iris-mlp'), { inputShape: [7], task: 'regression', outputs: 1 });
  assert.deepEqual(summarizeTopology(reg).outputShape, [null, 1]);
  assert.throws(() => adaptTemplate(getTemplate('lenet5'), { inputShape: [4], task: 'classification', outputs: 3 }), /made for images/);
});

test('graph round-trips through Sequential JSON', () => {
  for (const t of listTemplates()) {
    const topo = getTemplate(t.id);
    const again = topologyFromGraph(graphFromTopology(topo));
    assert.equal(again.class_name, topo.class_name === 'Sequential' ? 'Sequential' : 'Model');
    assert.equal(summarizeTopology(again).totalParams, summarizeTopology(topo).totalParams);
  }
});
