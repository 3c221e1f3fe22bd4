// A layer graph: the editable form of a Keras topology. Stacks become Sequential JSON and
// anything with branches or merges becomes Functional JSON, as Keras itself stores them.
import type { FunctionalTopology, KerasLayer, LayerConfig, ModelTopology, SequentialTopology } from './keras-format';

export interface GraphLayer {
  name: string;
  className: string;
  config: LayerConfig;
  /** Names of the layers feeding this one, in order. */
  inbound: string[];
}

export interface LayerGraph {
  name: string;
  layers: GraphLayer[];
  /** Names of the output layers. */
  outputs: string[];
}

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

function inboundNames(layer: KerasLayer): string[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  const first = nodes[0];
  // Keras 2: [[name, nodeIndex, tensorIndex, kwargs], ...]; Keras 3 style {args: ...} is not supported.
  if (!Array.isArray(first)) throw new TopologyError(`Layer "${layer.config.name}" has inbound nodes in a format Glasswing does not read.`);
  return first.map((entry) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
      throw new TopologyError(`Layer "${layer.config.name}" has a malformed inbound node.`);
    }
    return entry[0];
  });
}

/** Reads Sequential or Functional JSON into a graph. An implicit input becomes an InputLayer. */
export function graphFromTopology(topology: ModelTopology): LayerGraph {
  if (!topology || typeof topology !== 'object' || !topology.config || !Array.isArray(topology.config.layers)) {
    throw new TopologyError('The model has no layer list (config.layers).');
  }
  const modelName = String(topology.config.name ?? 'model');
  if (topology.class_name === 'Sequential') {
    const layers: GraphLayer[] = [];
    let previous: string | null = null;
    topology.config.layers.forEach((layer, i) => {
      if (!layer || typeof layer.class_name !== 'string' || !layer.config) throw new TopologyError(`Layer ${i + 1} has no class_name or config.`);
      const name = String(layer.config.name ?? `${layer.class_name.toLowerCase()}_${i + 1}`);
      const { batch_input_shape: batchInputShape, ...config } = layer.config;
      if (i === 0 && layer.class_name !== 'InputLayer') {
        const shape = batchInputShape ?? (layer.config['input_shape'] ? [null, ...(layer.config['input_shape'] as number[])] : undefined);
        if (!shape) throw new TopologyError(`The first layer "${name}" must say its input shape (batch_input_shape).`);
        delete config['input_shape'];
        const inputName = `${name}_input`;
        layers.push({ name: inputName, className: 'InputLayer', config: { name: inputName, batch_input_shape: shape }, inbound: [] });
        previous = inputName;
      }
      const fullConfig = layer.class_name === 'InputLayer' ? { ...config, batch_input_shape: batchInputShape } : config;
      layers.push({ name, className: layer.class_name, config: { ...fullConfig, name }, inbound: previous ? [previous] : [] });
      previous = name;
    });
    return { name: modelName, layers, outputs: previous ? [previous] : [] };
  }
  if (topology.class_name === 'Model' || topology.class_name === 'Functional') {
    const layers = topology.config.layers.map((layer, i): GraphLayer => {
      if (!layer || typeof layer.class_name !== 'string' || !layer.config) throw new TopologyError(`Layer ${i + 1} has no class_name or config.`);
      const name = String(layer.name ?? layer.config.name);
      return { name, className: layer.class_name, config: { ...layer.config, name }, inbound: inboundNames(layer) };
    });
    const outputs = (topology.config.output_layers ?? []).map((o) => o[0]);
    return { name: modelName, layers, outputs };
  }
  throw new TopologyError(`Unknown model class "${(topology as { class_name?: string }).class_name}"; expected Sequential or Model.`);
}

/** True when the graph is one input followed by a single chain of layers. */
export function isPlainStack(graph: LayerGraph): boolean {
  const inputs = graph.layers.filter((l) => l.className === 'InputLayer');
  if (inputs.length !== 1 || graph.outputs.length !== 1) return false;
  const consumers = new Map<string, number>();
  for (const l of graph.layers) for (const i of l.inbound) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const order = topologicalOrder(graph);
  for (let i = 0; i < order.length; i++) {
    const layer = order[i]!;
    if (i === 0 && layer.className !== 'InputLayer') return false;
    if (i > 0 && (layer.inbound.length !== 1 || layer.inbound[0] !== order[i - 1]!.name)) return false;
    if ((consumers.get(layer.name) ?? 0) > 1) return false;
  }
  return order[order.length - 1]?.name === graph.outputs[0];
}

/** Layers in an order where each comes after its inputs; throws on cycles or dangling wires. */
export function topologicalOrder(graph: LayerGraph): GraphLayer[] {
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  if (byName.size !== graph.layers.length) {
    const seen = new Set<string>();
    for (const l of graph.layers) {
      if (seen.has(l.name)) throw new TopologyError(`Two layers are named "${l.name}"; names must be unique.`);
      seen.add(l.name);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const order: GraphLayer[] = [];
  const visit = (layer: GraphLayer): void => {
    const s = state.get(layer.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new TopologyError(`The wires form a loop through "${layer.name}"; a network must flow one way.`);
    state.set(layer.name, 'visiting');
    for (const inName of layer.inbound) {
      const inbound = byName.get(inName);
      if (!inbound) throw new TopologyError(`Layer "${layer.name}" is wired to "${inName}", which does not exist.`);
      visit(inbound);
    }
    state.set(layer.name, 'done');
    order.push(layer);
  };
  graph.layers.forEach(visit);
  return order;
}

/** Writes the graph as Keras JSON: Sequential for a plain stack, Functional otherwise. */
export function topologyFromGraph(graph: LayerGraph): ModelTopology {
  const order = topologicalOrder(graph);
  if (isPlainStack(graph)) {
    const [input, ...rest] = order;
    const layers: KerasLayer[] = rest.map((l, i) => ({
      class_name: l.className,
      config: i === 0 ? { ...l.config, name: l.name, batch_input_shape: input!.config['batch_input_shape'] } : { ...l.config, name: l.name },
    }));
    const seq: SequentialTopology = { class_name: 'Sequential', config: { name: graph.name, layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };
    return seq;
  }
  const layers: KerasLayer[] = order.map((l) => ({
    name: l.name,
    class_name: l.className,
    config: { ...l.config, name: l.name },
    inbound_nodes: l.inbound.length ? [l.inbound.map((n) => [n, 0, 0, {}])] : [],
  }));
  const fn: FunctionalTopology = {
    class_name: 'Model',
    config: {
      name: graph.name,
      layers,
      input_layers: order.filter((l) => l.className === 'InputLayer').map((l) => [l.name, 0, 0]),
      output_layers: graph.outputs.map((n) => [n, 0, 0]),
    },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
  return fn;
}
