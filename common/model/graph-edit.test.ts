import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addLayer, connect, duplicateLayer, emptyGraph, insertOnWire, kerasSnakeCase, removeLayer } from './graph-edit';
import { summarizeGraph } from './summary';
import { topologyFromGraph } from './graph';

test('layer names follow Keras', () => {
  assert.equal(kerasSnakeCase('Conv2D'), 'conv2d');
  assert.equal(kerasSnakeCase('MaxPooling2D'), 'max_pooling2d');
  assert.equal(kerasSnakeCase('BatchNormalization'), 'batch_normalization');
  assert.equal(kerasSnakeCase('GlobalAveragePooling2D'), 'global_average_pooling2d');
  assert.equal(kerasSnakeCase('LSTM'), 'lstm');
});

test('edits build a stack, insert on a wire, remove and bridge, duplicate', () => {
  let g = emptyGraph();
  g = addLayer(g, 'InputLayer', [], { batch_input_shape: [null, 4] }).graph;
  g = addLayer(g, 'Dense', ['input_1'], { units: 8, activation: 'relu' }).graph;
  g = addLayer(g, 'Dense', ['dense_1'], { units: 3, activation: 'softmax' }).graph;
  assert.deepEqual(g.outputs, ['dense_2']);
  assert.equal(summarizeGraph(g).totalParams, 4 * 8 + 8 + 8 * 3 + 3);
  const ins = insertOnWire(g, 'Dropout', 'dense_1', 'dense_2');
  assert.deepEqual(ins.graph.layers.find((l) => l.name === 'dense_2')!.inbound, ['dropout_1']);
  assert.equal(topologyFromGraph(ins.graph).class_name, 'Sequential');
  const removed = removeLayer(ins.graph, 'dropout_1');
  assert.deepEqual(removed.layers.find((l) => l.name === 'dense_2')!.inbound, ['dense_1']);
  const dup = duplicateLayer(g, 'dense_1')!;
  assert.equal(dup.name, 'dense_3');
  assert.deepEqual(dup.graph.layers.find((l) => l.name === 'dense_3')!.inbound, ['input_1']);
});

test('wiring into a merge layer collects inputs and makes a functional model', () => {
  let g = emptyGraph();
  g = addLayer(g, 'InputLayer', [], { batch_input_shape: [null, 8, 8, 3] }).graph;
  g = addLayer(g, 'Conv2D', ['input_1'], { filters: 3, kernel_size: [3, 3], padding: 'same', activation: 'relu' }).graph;
  g = addLayer(g, 'Add', ['conv2d_1']).graph;
  g = connect(g, 'input_1', 'add_1');
  assert.deepEqual(g.layers.find((l) => l.name === 'add_1')!.inbound, ['conv2d_1', 'input_1']);
  assert.deepEqual(summarizeGraph(g).errors, []);
  assert.equal(topologyFromGraph(g).class_name, 'Model');
});
