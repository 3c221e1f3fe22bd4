import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphFromTopology, topologyFromGraph } from '../model/graph';
import { getTemplate } from '../model/templates';
import type { ModelTopology } from '../model/keras-format';
import { modelScope, runScope } from './run-scope';

/** LeNet-5 as an import writes it: a functional Model whose layers form a plain stack. */
function functionalLenet(): ModelTopology {
  const seq = getTemplate('lenet5') as ModelTopology;
  const layers = (seq.config.layers as { class_name: string; config: Record<string, unknown> }[]).map((l) => ({ ...l, config: { ...l.config } }));
  const input = { name: 'input', class_name: 'InputLayer', config: { name: 'input', batch_input_shape: layers[0]!.config['batch_input_shape'], dtype: 'float32' }, inbound_nodes: [] };
  delete layers[0]!.config['batch_input_shape'];
  let prev = 'input';
  const functional = layers.map((l) => {
    const out = { name: l.config['name'] as string, class_name: l.class_name, config: l.config, inbound_nodes: [[[prev, 0, 0, {}]]] };
    prev = out.name;
    return out;
  });
  return { class_name: 'Model', config: { name: 'imported', layers: [input, ...functional], input_layers: [['input', 0, 0]], output_layers: [[prev, 0, 0]] } } as unknown as ModelTopology;
}

test('a model file and the canvas showing it have one scope (an import is functional, the canvas writes a Sequential)', () => {
  const file = functionalLenet();
  const canvas = topologyFromGraph(graphFromTopology(file));
  assert.equal(canvas.class_name, 'Sequential', 'the canvas writes the plain stack as a Sequential');
  assert.equal(modelScope(file), modelScope(canvas));
  assert.equal(runScope('mnist', {}, file), runScope('mnist', {}, canvas));
});

test('different models keep different scopes', () => {
  const lenet = getTemplate('lenet5') as ModelTopology;
  const mlp = getTemplate('mnist-mlp') as ModelTopology;
  assert.notEqual(modelScope(lenet), modelScope(mlp));
});
