// The converter's pieces on their own: padding arithmetic, constant folding of torch's shape
// chains, layer names from torch scopes, custom-domain ops, and the preprocessing/classes rules.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as protobuf from 'protobufjs';
import { choosePadding, effectivePads, tfSamePads, autoPads } from './onnx-padding';
import { constOf, foldNode } from './onnx-fold';
import { nameFromNode, convertOnnxGraph } from './onnx-to-keras';
import { readOnnx, type OnnxNode } from './onnx-reader';
import { ONNX_PROTO } from './onnx-schema';
import { importModel } from './import-model';
import { defaultPreprocessing, importMetadata, readClassesFile } from './preprocessing';
import { fixture } from './test-helpers';
import { useBackend } from '../backends';

before(async () => {
  await useBackend('cpu');
});

const node = (opType: string, attributes: OnnxNode['attributes'] = {}, name = ''): OnnxNode => ({ index: 0, name, opType, domain: '', inputs: [], outputs: [], attributes });

test('padding: TF "same" only when it pads exactly as the file; otherwise explicit zero padding with unused end padding dropped', () => {
  assert.deepEqual(tfSamePads(32, 3, 2), [0, 1]);
  // 3×3 stride 1 pad 1: the same as TF 'same'.
  assert.deepEqual(choosePadding(28, 28, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]), { mode: 'same', out: [28, 28] });
  // 5×5 pad 2 (LeNet conv1): 'same' too.
  assert.equal(choosePadding(28, 28, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]).mode, 'same');
  // 3×3 stride 2 pad 1 on 32: PyTorch pads 1 on top, TF would pad 1 at the bottom.
  assert.deepEqual(choosePadding(32, 32, [3, 3], [2, 2], [1, 1], [1, 1, 1, 1]), { mode: 'explicit', pads: [[1, 0], [1, 0]], out: [16, 16] });
  // ResNet stem 7×7 stride 2 pad 3 on 64: explicit [3, 2].
  assert.deepEqual(choosePadding(64, 64, [7, 7], [2, 2], [1, 1], [3, 3, 3, 3]), { mode: 'explicit', pads: [[3, 2], [3, 2]], out: [32, 32] });
  assert.deepEqual(choosePadding(8, 8, [2, 2], [2, 2], [1, 1], [0, 0, 0, 0]), { mode: 'valid', out: [4, 4] });
  // ceil_mode: 14 → 7 with a 3×3/2 window needs one extra row and column at the end.
  assert.deepEqual(effectivePads(14, 3, 2, 1, 0, 0, true), [0, 1, 7]);
  assert.deepEqual(effectivePads(14, 3, 2, 1, 0, 0, false), [0, 0, 6]);
  // ceil_mode never starts a window in the end padding.
  assert.deepEqual(effectivePads(5, 2, 2, 1, 1, 1, true), [1, 0, 3]);
  assert.deepEqual(autoPads('SAME_UPPER', 32, 32, [3, 3], [2, 2], [1, 1]), [0, 0, 1, 1]);
  assert.deepEqual(autoPads('SAME_LOWER', 32, 32, [3, 3], [2, 2], [1, 1]), [1, 1, 0, 0]);
});

test('constant folding: torch\'s view(x.size(0), -1) chain keeps the batch as NaN; Slice with negative steps; Concat; Cast', () => {
  const shape = constOf([4], [NaN, 16, 5, 5], true);
  const [first] = foldNode(node('Gather', { axis: 0 }), [shape, constOf([], [0], true)], 13)!;
  assert.ok(Number.isNaN(first!.data[0]!));
  const [unsq] = foldNode(node('Unsqueeze'), [first!, constOf([1], [0], true)], 13)!;
  assert.deepEqual(unsq!.dims, [1]);
  const [cat] = foldNode(node('Concat', { axis: 0 }), [unsq!, constOf([1], [-1], true)], 13)!;
  assert.deepEqual(Array.from(cat!.data).map((v) => (Number.isNaN(v) ? 'N' : v)), ['N', -1]);
  // nn.ZeroPad2d's pad arithmetic reverses pairs with a step -1 Slice.
  const [rev] = foldNode(node('Slice'), [constOf([4, 2], [0, 0, 0, 0, 1, 0, 1, 0]), constOf([1], [-1], true), constOf([1], [-9e18], true), constOf([1], [0], true), constOf([1], [-1], true)], 13)!;
  assert.deepEqual(Array.from(rev!.data), [1, 0, 1, 0, 0, 0, 0, 0]);
  const [cast] = foldNode(node('Cast', { to: 7 }), [constOf([2], [1.7, -1.7])], 13)!;
  assert.deepEqual(Array.from(cast!.data), [1, -1]);
  assert.equal(foldNode(node('GridSample'), [], 13), null);
});

test('layer names come from torch scopes', () => {
  assert.equal(nameFromNode(node('Conv', {}, '/layer1/layer1.0/conv1/Conv'), 'x'), 'layer1.0.conv1');
  assert.equal(nameFromNode(node('Relu', {}, '/layer1/layer1.0/relu_1/Relu'), 'x'), 'layer1.0.relu_1');
  assert.equal(nameFromNode(node('Add', {}, '/layer1/layer1.0/Add'), 'x'), 'layer1.0');
  assert.equal(nameFromNode(node('Relu', {}, '/Relu_3'), 'relu'), 'relu');
  assert.equal(nameFromNode(node('Conv', {}, 'Conv_0'), 'conv2d'), 'conv2d');
  assert.equal(nameFromNode(node('Gemm', {}, '/fc/Gemm'), 'dense'), 'fc');
});

test('a custom-domain op is named with its domain, and ONNX Runtime cannot open it either: one line', async () => {
  // LeNet-5 with its first Relu turned into com.example.Swoosh.
  const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  const Model = root.lookupType('onnx.ModelProto');
  const model = Model.decode(await readFile(fixture('lenet5.onnx'))) as unknown as { graph: { node: { op_type: string; domain: string }[] }; opset_import: unknown[] };
  model.graph.node[1]!.op_type = 'Swoosh';
  model.graph.node[1]!.domain = 'com.example';
  model.opset_import.push(root.lookupType('onnx.OperatorSetIdProto').fromObject({ domain: 'com.example', version: 1 }));
  const bytes = Model.encode(model as unknown as protobuf.Message).finish();
  const conversion = convertOnnxGraph(readOnnx(bytes, 'custom.onnx'), 'custom.onnx');
  assert.equal(conversion.topology, null);
  assert.deepEqual(conversion.unsupported.map((u) => u.message), ['node 1 "/Relu" (op com.example.Swoosh) is not supported: it belongs to a custom operator domain']);
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-import-'));
  try {
    await writeFile(path.join(dir, 'custom.onnx'), bytes);
    await assert.rejects(importModel(path.join(dir, 'custom.onnx')), (e: Error) => {
      assert.equal(e.name, 'UnsupportedModelError');
      assert.match(e.message, /^.*custom\.onnx: node 1 "\/Relu" \(op com\.example\.Swoosh\) is not supported: it belongs to a custom operator domain; ONNX Runtime cannot open it either/);
      assert.equal(e.message.split('\n').length, 1);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('preprocessing defaults, overrides, and class names from .txt and .json files', async () => {
  assert.deepEqual(defaultPreprocessing({ source: 'onnx', inputShape: [32, 32, 3] }).preprocessing, { kind: 'image', height: 32, width: 32, channels: 3, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  assert.deepEqual(defaultPreprocessing({ source: 'keras', inputShape: [32, 32, 3] }).preprocessing, { kind: 'image', height: 32, width: 32, channels: 3, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] });
  const rescaled = defaultPreprocessing({ source: 'keras', inputShape: [32, 32, 3], leadingRescaling: { scale: 1 / 127.5, offset: -1 } });
  assert.equal((rescaled.preprocessing as { scale: number }).scale, 1);
  assert.match(rescaled.note, /Rescaling layer/);
  assert.equal((defaultPreprocessing({ source: 'onnx', inputShape: [32, 32, 3] }, 'unit').preprocessing as { mean: number[] }).mean[0], 0);
  assert.equal((defaultPreprocessing({ source: 'onnx', inputShape: [32, 32, 3] }, 'none').preprocessing as { scale: number }).scale, 1);
  assert.throws(() => defaultPreprocessing({ source: 'onnx', inputShape: [28, 28, 1] }, 'imagenet'), /needs 3 input channels/);
  assert.equal(defaultPreprocessing({ source: 'onnx', inputShape: [4] }).preprocessing.kind, 'table');
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-import-'));
  try {
    await writeFile(path.join(dir, 'c.txt'), 'cat\r\ndog\n\nbird\n');
    await writeFile(path.join(dir, 'c.json'), '["cat", "dog", "bird"]');
    await writeFile(path.join(dir, 'bad.json'), '{"cat": 1}');
    assert.deepEqual(await readClassesFile(path.join(dir, 'c.txt')), ['cat', 'dog', 'bird']);
    assert.deepEqual(await readClassesFile(path.join(dir, 'c.json')), ['cat', 'dog', 'bird']);
    await assert.rejects(readClassesFile(path.join(dir, 'bad.json')), /must hold a JSON array/);
    await assert.rejects(readClassesFile(path.join(dir, 'missing.txt')), /missing\.txt cannot be read/);
    const { metadata } = await importMetadata({ source: 'onnx', inputShape: [8, 8, 3] }, 3, { classesFile: path.join(dir, 'c.txt') }, 'm.onnx');
    assert.deepEqual(metadata.classes, ['cat', 'dog', 'bird']);
    await assert.rejects(importMetadata({ source: 'onnx', inputShape: [8, 8, 3] }, 4, { classesFile: path.join(dir, 'c.txt') }, 'm.onnx'), /names 3 classes; m\.onnx has 4 outputs/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('importModel: classes and preprocessing options reach the metadata; the check can be turned off', async () => {
  const classes = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const r = await importModel(fixture('lenet5.onnx'), { classes, preprocess: 'none', check: false });
  assert.deepEqual(r.metadata.classes, classes);
  assert.equal((r.metadata.preprocessing as { scale: number }).scale, 1);
  assert.equal(r.check.examples, 0);
  r.model!.dispose();
  await assert.rejects(importModel(fixture('expected.json')), /imports \.onnx \(PyTorch and others\), \.keras \(Keras 3\) and \.h5 \(Keras 2\) files/);
});
