// What the Build view shows for an imported model: every fixture's graph, as the canvas reads it
// (common/ shape inference and parameter counting), has no unknown layer, the same parameter
// count as the TF.js model built from it, and the same output shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { summarizeTopology } from '../../common/model/summary';
import { graphFromTopology, topologyFromGraph } from '../../common/model/graph';
import { loadAnyModel } from './import-model';

const FIXTURES = path.join(__dirname, 'fixtures');

for (const file of ['lenet5.onnx', 'resnet18-narrow.onnx', 'resnet18-narrow-opset17-bn.onnx', 'tiny-mobilenet.onnx', 'misc-ops.onnx', 'small-cnn.keras', 'small-cnn.h5']) {
  test(`${file} on the canvas: no unknown layer, Keras's parameter count, the model's output shape`, async () => {
    const loaded = await loadAnyModel(path.join(FIXTURES, file), { check: 0 });
    try {
      const topology = loaded.imported!.topology!;
      const summary = summarizeTopology(topology);
      assert.deepEqual(summary.errors, [], summary.errors.map((e) => `${e.layer}: ${e.message}`).join('\n'));
      assert.equal(summary.totalParams, loaded.model.countParams());
      assert.deepEqual(summary.outputShape, loaded.model.outputs[0]!.shape);
      // The canvas edits a graph and saves it back: the round trip keeps every layer.
      const again = summarizeTopology(topologyFromGraph(graphFromTopology(topology)));
      assert.equal(again.totalParams, summary.totalParams);
      assert.equal(again.layers.length, summary.layers.length);
    } finally {
      loaded.model.dispose();
    }
  });
}
