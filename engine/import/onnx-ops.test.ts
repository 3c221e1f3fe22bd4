// One small hand-built ONNX graph per group of ops (written with Glasswing's own ONNX writer), each
// converted and checked against ONNX Runtime on random inputs: the op paths PyTorch's exports in
// fixtures/ do not reach (count_include_pad on the node itself, auto_pad, constants per channel,
// PRelu, ReduceMean, channel softmax, ConvTranspose with pads, …) and the ones that must refuse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useBackend } from '../backends';
import { encodeModel, floatTensor, int64Tensor, DataType, type OnnxNode as WriterNode, type OnnxTensor as WriterTensor } from '../export/onnx-proto';
import { seededRandom } from '../../compute/random';
import { importModel, type ImportResult } from './import-model';

let dir = '';
before(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'gw-onnx-ops-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const random = seededRandom(42);
const weights = (name: string, dims: number[]) => floatTensor(name, dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random() - 0.5));

/** A graph from input [batch, 3, 8, 8] to `output` with the given nodes and initializers, imported. */
async function graph(name: string, nodes: WriterNode[], inits: WriterTensor[], output: string, outputShape: (number | string)[]): Promise<ImportResult> {
  const bytes = encodeModel({
    irVersion: 7,
    opset: 13,
    producerName: 'glasswing-test',
    producerVersion: '1',
    graph: { name, nodes, initializers: inits, inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 3, 8, 8] }], outputs: [{ name: output, elemType: DataType.FLOAT, shape: outputShape }] },
  });
  const file = path.join(dir, `${name}.onnx`);
  await writeFile(file, bytes);
  return importModel(file, { check: 6, appendSoftmax: false });
}

const n = (opType: string, inputs: string[], output: string, attributes: WriterNode['attributes'] = {}): WriterNode => ({ opType, inputs, outputs: [output], name: `/${output}/${opType}`, attributes });

function assertMatches(r: ImportResult): void {
  assert.ok(r.model, r.unsupported.map((u) => u.message).join('; '));
  assert.ok(r.check.ok && r.check.maxAbsDiff !== null && r.check.maxAbsDiff <= 1e-4, r.check.message);
}

test('pooling: AveragePool with count_include_pad on the node, MaxPool padding after a ReLU, ceil_mode; ReduceMean as GAP', async () => {
  assertMatches(await graph('avg_include_pad', [n('AveragePool', ['x'], 'y', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, count_include_pad: { i: 1 } })], [], 'y', ['batch', 3, 4, 4]));
  assertMatches(await graph('avg_exclude_pad_same', [n('AveragePool', ['x'], 'y', { kernel_shape: { ints: [3, 3] }, strides: { ints: [1, 1] }, pads: { ints: [1, 1, 1, 1] } })], [], 'y', ['batch', 3, 8, 8]));
  assertMatches(await graph('max_after_relu', [n('Relu', ['x'], 'r'), n('MaxPool', ['r'], 'y', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } })], [], 'y', ['batch', 3, 4, 4]));
  assertMatches(await graph('max_ceil', [n('Sigmoid', ['x'], 's'), n('MaxPool', ['s'], 'y', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { i: 1 } })], [], 'y', ['batch', 3, 4, 4]));
  const gap = await graph(
    'reduce_mean',
    [n('ReduceMean', ['x'], 'm', { axes: { ints: [2, 3] }, keepdims: { i: 1 } }), n('Flatten', ['m'], 'f', { axis: { i: 1 } }), n('Gemm', ['f', 'w', 'b'], 'y', { transB: { i: 1 } })],
    [weights('w', [4, 3]), weights('b', [4])],
    'y',
    ['batch', 4],
  );
  assertMatches(gap);
  assert.ok(gap.model!.layers.some((l) => l.getClassName() === 'GlobalAveragePooling2D'));
  // Zero padding before max pooling would be wrong on negative inputs: refused, not guessed.
  const refused = await graph('max_pad_negative', [n('MaxPool', ['x'], 'y', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } })], [], 'y', ['batch', 3, 4, 4]);
  assert.equal(refused.model, null);
  assert.deepEqual(refused.unsupported.map((u) => u.message), ['node 0 "/y/MaxPool" (op MaxPool) is not supported: max pooling with padding Keras cannot match on an input that may be negative']);
  await refused.readOnly!.dispose();
});

test('convolutions: auto_pad SAME_UPPER/SAME_LOWER, depthwise multiplier, ConvTranspose with pads and output_padding', async () => {
  const conv = (autoPad: string) => graph(`conv_${autoPad}`, [n('Conv', ['x', 'w', 'b'], 'y', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, auto_pad: { s: autoPad } })], [weights('w', [5, 3, 3, 3]), weights('b', [5])], 'y', ['batch', 5, 4, 4]);
  assertMatches(await conv('SAME_UPPER'));
  assertMatches(await conv('SAME_LOWER'));
  assertMatches(await graph('depthwise_x2', [n('Conv', ['x', 'w'], 'y', { kernel_shape: { ints: [3, 3] }, group: { i: 3 }, pads: { ints: [1, 1, 1, 1] } })], [weights('w', [6, 1, 3, 3])], 'y', ['batch', 6, 8, 8]));
  const t = await graph(
    'conv_transpose',
    [n('ConvTranspose', ['x', 'w', 'b'], 'y', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, output_padding: { ints: [1, 1] } })],
    [weights('w', [3, 4, 3, 3]), weights('b', [4])],
    'y',
    ['batch', 4, 16, 16],
  );
  assertMatches(t);
  assert.ok(t.model!.layers.some((l) => l.getClassName() === 'Cropping2D'));
  const grouped = await graph('grouped', [n('Conv', ['x', 'w'], 'y', { kernel_shape: { ints: [1, 1] }, group: { i: 3 } })], [weights('w', [6, 1, 1, 1])], 'y', ['batch', 6, 8, 8]);
  assertMatches(grouped);
});

test('element-wise: tensor − tensor, ÷ scalar, × per-channel constant, PRelu, Elu, LeakyRelu, one-sided Clip, channel Softmax, Concat', async () => {
  assertMatches(
    await graph(
      'elementwise',
      [
        n('Relu', ['x'], 'r'),
        n('Sub', ['x', 'r'], 'neg'), // min(x, 0)
        n('Div', ['neg', 'two'], 'half'),
        n('Mul', ['half', 'per_channel'], 'scaled'),
        n('Add', ['scaled', 'per_channel'], 'shifted'),
        n('PRelu', ['shifted', 'slope'], 'p'),
        n('Elu', ['p'], 'e', { alpha: { f: 1 } }),
        n('LeakyRelu', ['e'], 'l', { alpha: { f: 0.2 } }),
        n('Clip', ['l', 'lo'], 'c'),
        n('Clip', ['x', '', 'hi'], 'd'),
        n('Concat', ['c', 'd', 'r'], 'cat', { axis: { i: 1 } }),
        n('Softmax', ['cat'], 'y', { axis: { i: 1 } }),
      ],
      [floatTensor('two', [], [2]), weights('per_channel', [3, 1, 1]), weights('slope', [3, 1, 1]), floatTensor('lo', [], [-0.1]), floatTensor('hi', [], [0.3])],
      'y',
      ['batch', 9, 8, 8],
    ),
  );
});

test('shapes: Unsqueeze/Squeeze around global pooling, Reshape to an image and back, a view with -1', async () => {
  const r = await graph(
    'shapes',
    [
      n('GlobalAveragePool', ['x'], 'g'),
      n('Squeeze', ['g', 'axes'], 's'),
      n('Unsqueeze', ['s', 'axes'], 'u'),
      n('Mul', ['x', 'u'], 'gated'), // SE-style: [N, C, H, W] × [N, C, 1, 1]
      n('Reshape', ['gated', 'to_image'], 'img'), // [N, 3, 4, 16]: a reshape that is not a flatten
      n('Reshape', ['img', 'flat'], 'y'),
    ],
    [int64Tensor('axes', [2], [2, 3]), int64Tensor('to_image', [4], [0, 3, 4, 16]), int64Tensor('flat', [2], [-1, 192])],
    'y',
    ['batch', 192],
  );
  assertMatches(r);
});

test('refusals name the node: a Transpose of a computed tensor, a Reshape across the batch', async () => {
  const t = await graph('transpose', [n('Transpose', ['x'], 'y', { perm: { ints: [0, 1, 3, 2] } })], [], 'y', ['batch', 3, 8, 8]);
  assert.deepEqual(t.unsupported.map((u) => u.message), ['node 0 "/y/Transpose" (op Transpose) is not supported: Transpose with perm [0,1,3,2] of a tensor of shape [N, 3, 8, 8] (only channels-first ↔ channels-last of images is converted)']);
  await t.readOnly!.dispose();
  const r = await graph('reshape_batch', [n('Reshape', ['x', 's'], 'y')], [int64Tensor('s', [2], [3, -1])], 'y', [3, 'n']);
  assert.match(r.unsupported[0]!.message, /^node 0 "\/y\/Reshape" \(op Reshape\) is not supported: a reshape to \[3, -1\] that does not keep the batch first$/);
  await r.readOnly?.dispose();
});

test('a stored tensor with negative sizes is refused as damaged, naming the tensor, before anything is allocated', async () => {
  for (const dims of [[-5, 3, 3, 3], [-1, -1, 3, 3], [3, -(2 ** 40), 3, 3]]) {
    const w: WriterTensor = { name: 'w', dims, dataType: DataType.FLOAT, raw: new Uint8Array(new Float32Array(16).buffer) };
    await assert.rejects(
      graph(`bad_dims_${dims.join('_')}`, [n('Conv', ['x', 'w'], 'y', { kernel_shape: { ints: [3, 3] } })], [w], 'y', ['batch', 5, 6, 6]),
      (e: Error) => e.name === 'ModelImportError' && e.message.includes(`tensor "w" has the shape [${dims.join(', ')}]; a stored tensor's sizes are whole numbers of at least 0. The file is damaged.`),
      String(dims),
    );
  }
});
