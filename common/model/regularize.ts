// The training view's regularisation shortcuts, as plain graph edits (each one undoable).
import type { LayerGraph } from './graph';
import { insertOnWire } from './graph-edit';

/** A Dropout after every hidden Dense layer (not the output), or its rate updated if one is there. */
export function addDropoutAfterHiddenDense(graph: LayerGraph, rate: number): LayerGraph {
  let g = graph;
  for (const dense of graph.layers.filter((l) => l.className === 'Dense' && !graph.outputs.includes(l.name))) {
    const consumers = g.layers.filter((l) => l.inbound.includes(dense.name));
    const existing = consumers.find((c) => c.className === 'Dropout');
    if (existing) {
      g = { ...g, layers: g.layers.map((l) => (l.name === existing.name ? { ...l, config: { ...l.config, rate } } : l)) };
      continue;
    }
    for (const c of consumers) {
      const r = insertOnWire(g, 'Dropout', dense.name, c.name);
      g = { ...r.graph, layers: r.graph.layers.map((l) => (l.name === r.name ? { ...l, config: { ...l.config, rate } } : l)) };
    }
  }
  return g;
}

/** An L2 penalty on every Dense and convolution kernel (0 removes it). */
export function setL2(graph: LayerGraph, l2: number): LayerGraph {
  return {
    ...graph,
    layers: graph.layers.map((l) => {
      if (!['Dense', 'Conv2D', 'Conv1D'].includes(l.className)) return l;
      const { kernel_regularizer: _old, ...rest } = l.config;
      return { ...l, config: l2 > 0 ? { ...rest, kernel_regularizer: { class_name: 'L1L2', config: { l1: 0, l2 } } } : rest };
    }),
  };
}
