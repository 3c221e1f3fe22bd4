// Property test: the builder's shape inference and parameter counts (common/model) against TF.js
// itself, on every template and on 200 random graphs drawn from the registry — plain stacks and
// DAGs with Add and Concatenate — and random broken graphs, which must be reported, never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from './backends';
import { seededRandom } from '../compute/random';
import { listTemplates, getTemplate } from '../common/model/templates';
import { summarizeGraph } from '../common/model/summary';
import { topologyFromGraph, type LayerGraph, type GraphLayer } from '../common/model/graph';
import type { ModelTopology, Shape } from '../common/model/keras-format';

type Rand = () => number;
const pick = <T>(r: Rand, xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

class GraphMaker {
  layers: GraphLayer[] = [];
  private n = 0;
  constructor(private readonly r: Rand) {}
  add(className: string, config: Record<string, unknown>, inbound: string[]): string {
    const name = `${className.toLowerCase()}_${++this.n}`;
    this.layers.push({ name, className, config: { ...config, name }, inbound });
    return name;
  }
  graph(output: string): LayerGraph {
    return { name: `random_${this.n}`, layers: this.layers, outputs: [output] };
  }
  get rand(): Rand {
    return this.r;
  }
}

/** A layer that fits `shape`, with its new shape (or null when none fits). */
function nextLayer(m: GraphMaker, at: string, shape: Shape): { name: string; shape: Shape } | null {
  const r = m.rand;
  const rank = shape.length - 1;
  if (rank === 3) {
    const [h, w] = [shape[1]!, shape[2]!];
    const choice = pick(r, ['conv', 'conv', 'pool', 'avgpool', 'bn', 'act', 'drop', 'gap', 'flatten']);
    if (choice === 'conv') {
      const k = int(r, 1, Math.min(3, h!, w!));
      const padding = pick(r, ['same', 'valid']);
      const stride = pick(r, [1, 1, 2]);
      const dil = stride === 1 && padding === 'same' ? pick(r, [1, 2]) : 1;
      const filters = int(r, 1, 6);
      const name = m.add('Conv2D', { filters, kernel_size: [k, k], strides: [stride, stride], padding, dilation_rate: [dil, dil], activation: pick(r, ['relu', 'linear', 'tanh']), use_bias: r() < 0.8 }, [at]);
      const out = (d: number) => (padding === 'same' ? Math.ceil(d / stride) : Math.floor((d - ((k - 1) * dil + 1)) / stride) + 1);
      return { name, shape: [null, out(h!), out(w!), filters] };
    }
    if ((choice === 'pool' || choice === 'avgpool') && h! >= 2 && w! >= 2) {
      const cls = choice === 'pool' ? 'MaxPooling2D' : 'AveragePooling2D';
      const name = m.add(cls, { pool_size: [2, 2], strides: [2, 2], padding: 'valid' }, [at]);
      return { name, shape: [null, Math.floor(h! / 2), Math.floor(w! / 2), shape[3]!] };
    }
    if (choice === 'bn') return { name: m.add('BatchNormalization', { momentum: 0.99, epsilon: 0.001, center: r() < 0.8, scale: r() < 0.8 }, [at]), shape };
    if (choice === 'act') return { name: m.add('Activation', { activation: pick(r, ['relu', 'sigmoid', 'elu']) }, [at]), shape };
    if (choice === 'drop') return { name: m.add('Dropout', { rate: 0.3 }, [at]), shape };
    if (choice === 'gap') return { name: m.add('GlobalAveragePooling2D', {}, [at]), shape: [null, shape[3]!] };
    return { name: m.add('Flatten', {}, [at]), shape: [null, h! * w! * shape[3]!] };
  }
  if (rank === 2) {
    const choice = pick(r, ['conv1d', 'lstm', 'flatten']);
    if (choice === 'conv1d' && shape[1]! >= 3) {
      const filters = int(r, 1, 5);
      const padding = pick(r, ['same', 'valid']);
      const name = m.add('Conv1D', { filters, kernel_size: 3, strides: 1, padding, activation: 'relu' }, [at]);
      return { name, shape: [null, padding === 'same' ? shape[1]! : shape[1]! - 2, filters] };
    }
    if (choice === 'lstm') {
      const units = int(r, 1, 6);
      const seq = r() < 0.4;
      const name = m.add('LSTM', { units, activation: 'tanh', return_sequences: seq }, [at]);
      return { name, shape: seq ? [null, shape[1]!, units] : [null, units] };
    }
    return { name: m.add('Flatten', {}, [at]), shape: [null, shape[1]! * shape[2]!] };
  }
  const choice = pick(r, ['dense', 'dense', 'drop', 'bn', 'reshape']);
  const f = shape[1]!;
  if (choice === 'reshape' && f % 2 === 0) return { name: m.add('Reshape', { target_shape: [2, f / 2] }, [at]), shape: [null, 2, f / 2] };
  if (choice === 'drop') return { name: m.add('Dropout', { rate: 0.2 }, [at]), shape };
  if (choice === 'bn') return { name: m.add('BatchNormalization', { momentum: 0.99, epsilon: 0.001 }, [at]), shape };
  const units = int(r, 1, 12);
  return { name: m.add('Dense', { units, activation: pick(r, ['relu', 'softmax', 'linear', 'gelu']), use_bias: r() < 0.8 }, [at]), shape: [null, units] };
}

function randomGraph(seed: number): LayerGraph {
  const r = seededRandom(seed);
  const m = new GraphMaker(r);
  const kind = pick(r, ['image', 'image', 'vector', 'sequence']);
  const input: number[] = kind === 'image' ? [int(r, 6, 14), int(r, 6, 14), int(r, 1, 3)] : kind === 'vector' ? [int(r, 2, 20)] : [int(r, 3, 8), int(r, 1, 4)];
  let at = m.add('InputLayer', { batch_input_shape: [null, ...input] }, []);
  let shape: Shape = [null, ...input];
  const depth = int(r, 1, 6);
  for (let i = 0; i < depth; i++) {
    // Sometimes a branch that merges back: a residual Add or a Concatenate.
    if (r() < 0.3 && (shape.length === 4 || shape.length === 2)) {
      const mode = pick(r, ['add', 'concat']);
      const last = shape[shape.length - 1]!;
      let side: string;
      let sideShape: Shape;
      if (shape.length === 4) {
        const filters = mode === 'add' ? last : int(r, 1, 4);
        side = m.add('Conv2D', { filters, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu' }, [at]);
        sideShape = [...shape.slice(0, 3), filters];
      } else {
        const units = mode === 'add' ? last : int(r, 1, 6);
        side = m.add('Dense', { units, activation: 'relu' }, [at]);
        sideShape = [null, units];
      }
      const merged = mode === 'add' ? m.add('Add', {}, [side, at]) : m.add('Concatenate', { axis: -1 }, [at, side]);
      shape = mode === 'add' ? shape : [...shape.slice(0, -1), last + sideShape[sideShape.length - 1]!];
      at = merged;
      continue;
    }
    const next = nextLayer(m, at, shape);
    if (!next) break;
    at = next.name;
    shape = next.shape;
  }
  return m.graph(at);
}

async function compareWithTfjs(topology: ModelTopology, label: string): Promise<void> {
  const graph = (await import('../common/model/graph')).graphFromTopology(topology);
  const summary = summarizeGraph(graph);
  assert.deepEqual(summary.errors, [], `${label}: ${JSON.stringify(summary.errors)}`);
  const model = await tfl.models.modelFromJSON({ modelTopology: topologyFromGraph(graph) as never });
  for (const l of summary.layers) {
    if (l.className === 'InputLayer' && topology.class_name === 'Sequential') continue;
    const tfLayer = model.getLayer(l.name);
    assert.deepEqual(l.outputShape, tfLayer.outputShape, `${label}: output shape of ${l.name} (${l.className})`);
    assert.equal(l.params, tfLayer.countParams(), `${label}: parameters of ${l.name} (${l.className})`);
  }
  assert.equal(summary.totalParams, model.countParams(), `${label}: total parameters`);
  model.dispose();
}

test('every template: shapes and parameter counts equal those of TF.js', async () => {
  await useBackend('cpu');
  for (const t of listTemplates()) await compareWithTfjs(getTemplate(t.id), t.id);
});

test('200 random valid graphs (stacks and DAGs with Add/Concatenate): shapes and counts equal TF.js', async () => {
  await useBackend('cpu');
  let dags = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const g = randomGraph(seed);
    if (g.layers.some((l) => l.className === 'Add' || l.className === 'Concatenate')) dags++;
    await compareWithTfjs(topologyFromGraph(g), `seed ${seed}`);
  }
  assert.ok(dags >= 30, `only ${dags} of 200 graphs had a merge`);
});

test('random broken graphs are all reported with a message, and none throws', () => {
  const breakers: ((g: LayerGraph, r: Rand) => LayerGraph)[] = [
    // A Conv2D fed by a vector (through a Flatten, which is itself wrong on a vector).
    (g) => ({
      ...g,
      layers: [
        ...g.layers,
        { name: 'flat', className: 'Flatten', config: {}, inbound: [g.outputs[0]!] },
        { name: 'bad_conv', className: 'Conv2D', config: { filters: 2, kernel_size: [3, 3] }, inbound: ['flat'] },
      ],
      outputs: ['bad_conv'],
    }),
    // An Add of two different shapes.
    (g) => {
      const input = g.layers[0]!.name;
      const layers = [...g.layers, { name: 'side', className: 'Dense', config: { units: 997 }, inbound: [g.outputs[0]!] }, { name: 'bad_add', className: 'Add', config: {}, inbound: ['side', input] }];
      return { ...g, layers, outputs: ['bad_add'] };
    },
    // A kernel larger than the image.
    (g) => ({ ...g, layers: g.layers.map((l, i) => (i === 0 ? { ...l, config: { ...l.config, batch_input_shape: [null, 2, 2, 1] } } : l)).concat([{ name: 'big_kernel', className: 'Conv2D', config: { filters: 1, kernel_size: [5, 5], padding: 'valid' }, inbound: [g.layers[0]!.name] }]), outputs: ['big_kernel'] }),
    // A Reshape to the wrong number of values.
    (g) => ({ ...g, layers: [...g.layers, { name: 'bad_reshape', className: 'Reshape', config: { target_shape: [7, 11, 13] }, inbound: [g.outputs[0]!] }], outputs: ['bad_reshape'] }),
    // A loop.
    (g) => ({ ...g, layers: g.layers.map((l, i) => (i === 0 ? l : i === 1 ? { ...l, inbound: [...l.inbound, g.outputs[0]!] } : l)) }),
    // A wire to nowhere, and an unknown layer type.
    (g) => ({ ...g, layers: [...g.layers, { name: 'ghost', className: 'Dense', config: { units: 2 }, inbound: ['nowhere'] }] }),
    (g) => ({ ...g, layers: [...g.layers, { name: 'mystery', className: 'Frobnicate2D', config: {}, inbound: [g.outputs[0]!] }], outputs: ['mystery'] }),
    // A layer with no input, and a Dense with a negative number of units.
    (g) => ({ ...g, layers: [...g.layers, { name: 'orphan', className: 'Dense', config: { units: 3 }, inbound: [] }] }),
    (g) => ({ ...g, layers: [...g.layers, { name: 'neg', className: 'Dense', config: { units: -4 }, inbound: [g.outputs[0]!] }], outputs: ['neg'] }),
  ];
  for (let seed = 1; seed <= 200; seed++) {
    const r = seededRandom(1000 + seed);
    const base = randomGraph(seed);
    const broken = pick(r, breakers)(base, r);
    let summary;
    assert.doesNotThrow(() => (summary = summarizeGraph(broken)), `seed ${seed}`);
    // The reshape breaker can land on exactly 1001 values by chance; every other case must fail.
    assert.ok(summary!.errors.length > 0 || broken.layers.some((l) => l.name === 'bad_reshape'), `seed ${seed}: a broken graph was not reported: ${JSON.stringify(broken)}`);
    for (const e of summary!.errors) assert.ok(e.message.length > 10);
  }
});
