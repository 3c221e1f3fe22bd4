// Pure edits of a layer graph, shared by the builder and its tests: every edit returns a new
// graph, so undo/redo can keep snapshots and nothing is mutated behind the UI's back.
import type { GraphLayer, LayerGraph } from './graph';
import { defaultConfig, layerDefinition } from './layer-registry';

/** Keras's own _to_snake_case: Conv2D → conv2d, MaxPooling2D → max_pooling2d. */
export function kerasSnakeCase(name: string): string {
  return name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Keras-style names: conv2d_1, conv2d_2, … the first free one. */
export function freshName(graph: LayerGraph, className: string): string {
  const base = className === 'InputLayer' ? 'input' : kerasSnakeCase(className);
  const taken = new Set(graph.layers.map((l) => l.name));
  for (let i = 1; ; i++) {
    const name = `${base}_${i}`;
    if (!taken.has(name)) return name;
  }
}

export function addLayer(graph: LayerGraph, className: string, inbound: string[] = [], config?: Record<string, unknown>): { graph: LayerGraph; name: string } {
  const name = freshName(graph, className);
  const layer: GraphLayer = { name, className, config: { ...(config ?? defaultConfig(className)), name }, inbound };
  const outputs = graph.outputs.length === 0 || (inbound.length === 1 && graph.outputs.includes(inbound[0]!)) ? [...graph.outputs.filter((o) => !inbound.includes(o)), name] : graph.outputs;
  return { graph: { ...graph, layers: [...graph.layers, layer], outputs }, name };
}

/** Deletes a layer and reconnects a chain around it (a → x → b becomes a → b) when x had one input. */
export function removeLayer(graph: LayerGraph, name: string): LayerGraph {
  const victim = graph.layers.find((l) => l.name === name);
  if (!victim) return graph;
  const bridge = victim.inbound.length === 1 ? victim.inbound[0]! : null;
  const layers = graph.layers
    .filter((l) => l.name !== name)
    .map((l) => (l.inbound.includes(name) ? { ...l, inbound: bridge ? l.inbound.map((i) => (i === name ? bridge : i)) : l.inbound.filter((i) => i !== name) } : l));
  let outputs = graph.outputs.filter((o) => o !== name);
  if (graph.outputs.includes(name) && bridge && !outputs.includes(bridge)) outputs = [...outputs, bridge];
  return { ...graph, layers, outputs: outputs.length ? outputs : sinks(layers) };
}

/** Layers nothing consumes: the natural outputs. */
export function sinks(layers: GraphLayer[]): string[] {
  const consumed = new Set(layers.flatMap((l) => l.inbound));
  return layers.filter((l) => !consumed.has(l.name)).map((l) => l.name);
}

export function connect(graph: LayerGraph, from: string, to: string): LayerGraph {
  if (from === to) return graph;
  const target = graph.layers.find((l) => l.name === to);
  if (!target || target.inbound.includes(from)) return graph;
  const def = layerDefinition(target.className);
  // A single-input layer gets its input replaced; merge layers collect inputs.
  const inbound = def?.arity === 'many' ? [...target.inbound, from] : [from];
  const layers = graph.layers.map((l) => (l.name === to ? { ...l, inbound } : l));
  const outputs = graph.outputs.filter((o) => o !== from);
  return { ...graph, layers, outputs: outputs.length ? outputs : sinks(layers) };
}

export function disconnect(graph: LayerGraph, from: string, to: string): LayerGraph {
  const layers = graph.layers.map((l) => (l.name === to ? { ...l, inbound: l.inbound.filter((i) => i !== from) } : l));
  return { ...graph, layers, outputs: sinks(layers).filter((n) => n !== from || graph.outputs.includes(n)) };
}

/** Puts a new layer on the wire from → to. */
export function insertOnWire(graph: LayerGraph, className: string, from: string, to: string): { graph: LayerGraph; name: string } {
  const added = addLayer(graph, className, [from]);
  const layers = added.graph.layers.map((l) => (l.name === to ? { ...l, inbound: l.inbound.map((i) => (i === from ? added.name : i)) } : l));
  return { graph: { ...added.graph, layers, outputs: graph.outputs }, name: added.name };
}

/** A copy of the layer with the same settings and inputs. */
export function duplicateLayer(graph: LayerGraph, name: string): { graph: LayerGraph; name: string } | null {
  const src = graph.layers.find((l) => l.name === name);
  if (!src || src.className === 'InputLayer') return null;
  const { name: _old, ...config } = src.config;
  return addLayer(graph, src.className, [...src.inbound], config);
}

export function setParam(graph: LayerGraph, name: string, key: string, value: unknown): LayerGraph {
  return { ...graph, layers: graph.layers.map((l) => (l.name === name ? { ...l, config: { ...l.config, [key]: value } } : l)) };
}

export function renameLayer(graph: LayerGraph, name: string, next: string): LayerGraph {
  if (!next || graph.layers.some((l) => l.name === next)) return graph;
  return {
    ...graph,
    layers: graph.layers.map((l) => ({
      ...l,
      name: l.name === name ? next : l.name,
      config: l.name === name ? { ...l.config, name: next } : l.config,
      inbound: l.inbound.map((i) => (i === name ? next : i)),
    })),
    outputs: graph.outputs.map((o) => (o === name ? next : o)),
  };
}

export function emptyGraph(): LayerGraph {
  return { name: 'model', layers: [], outputs: [] };
}
