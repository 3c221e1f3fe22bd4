import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoLayout } from './auto-layout';
import { graphFromTopology } from './graph';
import { getTemplate } from './templates';
import type { LayerGraph } from './graph';

const options = { nodeWidth: 236, nodeHeight: 86, rowsPerColumn: 5 };

/** A ResNet-like chain of `blocks` residual blocks: conv → relu → conv → add(skip) → relu. */
function resnet(blocks: number): LayerGraph {
  const layers: LayerGraph['layers'] = [{ name: 'input', className: 'InputLayer', config: { batch_input_shape: [null, 8, 8, 4] }, inbound: [] }];
  let last = 'input';
  for (let b = 0; b < blocks; b++) {
    const p = `b${b}`;
    const conv = (name: string, from: string) => layers.push({ name, className: 'Conv2D', config: { filters: 4, kernel_size: [3, 3], padding: 'same' }, inbound: [from] });
    conv(`${p}_conv1`, last);
    layers.push({ name: `${p}_relu1`, className: 'Activation', config: { activation: 'relu' }, inbound: [`${p}_conv1`] });
    conv(`${p}_conv2`, `${p}_relu1`);
    layers.push({ name: `${p}_add`, className: 'Add', config: {}, inbound: [`${p}_conv2`, last] });
    layers.push({ name: `${p}_out`, className: 'Activation', config: { activation: 'relu' }, inbound: [`${p}_add`] });
    last = `${p}_out`;
  }
  return { name: 'resnet', layers, outputs: [last] } as LayerGraph;
}

test('a residual network breaks into columns only between blocks: no wire crosses a column inside a block', () => {
  const g = resnet(6);
  const layout = autoLayout(g, options);
  // Column tops: the layers at y = 0.
  const tops = g.layers.filter((l) => layout[l.name]!.y === 0).length;
  assert.ok(tops >= 3, `a 31-layer net uses several columns (${tops})`);
  for (let b = 0; b < 6; b++) {
    // The whole block, and the skip wire's source, lie in one column: its top is above its bottom.
    const top = layout[`b${b}_conv1`]!;
    const add = layout[`b${b}_add`]!;
    assert.ok(add.y > top.y, `block ${b} reads top to bottom`);
    assert.ok(Math.abs(add.x - top.x) < 400, `block ${b} stays in one column`);
  }
  // The skip wire is not hidden behind the layers it skips.
  const skipFrom = layout['b2_out']!;
  for (const n of ['b3_conv1', 'b3_relu1', 'b3_conv2']) assert.ok(n === 'b3_conv1' || Math.abs(layout[n]!.x - skipFrom.x) >= 236 / 2 || layout[n]!.y < skipFrom.y, n);
  assert.equal(new Set(Object.values(layout).map((p) => `${p.x},${p.y}`)).size, g.layers.length, 'no two layers on one spot');
});

test('a sequential model of more than six layers wraps every five rows; a short one is one column', () => {
  const lenet = graphFromTopology(getTemplate('lenet5'));
  const l = autoLayout(lenet, options);
  const xs = new Set(lenet.layers.map((x) => l[x.name]!.x));
  assert.equal(xs.size, 2, 'nine layers: two columns');
  const iris = graphFromTopology(getTemplate('iris-mlp'));
  const li = autoLayout(iris, options);
  assert.equal(new Set(iris.layers.map((x) => li[x.name]!.x)).size, 1);
});

test('no two layers overlap, within a column or across columns, in a ResNet with downsampling branches', () => {
  // ResNet-18's shape: blocks whose skip wire carries a 1×1 downsampling conv, a padded conv beside it.
  const layers: LayerGraph['layers'] = [{ name: 'input', className: 'InputLayer', config: { batch_input_shape: [null, 32, 32, 3] }, inbound: [] }];
  let last = 'input';
  for (let b = 0; b < 8; b++) {
    const p = `b${b}`;
    const push = (name: string, className: string, from: string[]) => layers.push({ name, className, config: {}, inbound: from });
    push(`${p}_pad`, 'ZeroPadding2D', [last]);
    push(`${p}_conv1`, 'Conv2D', [`${p}_pad`]);
    push(`${p}_relu`, 'Activation', [`${p}_conv1`]);
    push(`${p}_conv2`, 'Conv2D', [`${p}_relu`]);
    const skip = b % 2 ? last : `${p}_down`;
    if (!(b % 2)) push(`${p}_down`, 'Conv2D', [last]);
    push(`${p}_add`, 'Add', [`${p}_conv2`, skip]);
    push(`${p}_out`, 'Activation', [`${p}_add`]);
    last = `${p}_out`;
  }
  const g = { name: 'resnet18ish', layers, outputs: [last] } as LayerGraph;
  const layout = autoLayout(g, options);
  const boxes = g.layers.map((l) => ({ name: l.name, ...layout[l.name]! }));
  for (const a of boxes) {
    for (const b of boxes) {
      if (a.name >= b.name) continue;
      const overlap = Math.abs(a.x - b.x) < options.nodeWidth && Math.abs(a.y - b.y) < options.nodeHeight;
      assert.ok(!overlap, `${a.name} (${a.x}, ${a.y}) overlaps ${b.name} (${b.x}, ${b.y})`);
    }
  }
});
