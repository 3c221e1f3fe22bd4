// Turns the layer graph into xyflow nodes and edges for the canvas.
import type { Edge, Node } from '@xyflow/svelte';
import type { LayerGraph } from '../../../common/model/graph';
import type { ModelSummary } from '../../../common/model/summary';
import { formatShape } from '../../../common/model/keras-format';
import { layerDefinition } from '../../../common/model/layer-registry';
import { CATEGORY_COLORS } from './categories';
import type { Layout } from '../state/graph.svelte';

export interface LayerNodeData extends Record<string, unknown> {
  name: string;
  className: string;
  shape: string;
  params: number;
  error?: string;
  /** What the layer must change to take the chosen data (the input, or the output layer). */
  notice?: string;
  color: string;
}

export function toNodes(graph: LayerGraph, layout: Layout, summary: ModelSummary, selected: string | null, dataNotice: { layer: string; message: string } | null = null): Node<LayerNodeData>[] {
  const byName = new Map(summary.layers.map((l) => [l.name, l]));
  const extraErrors = new Map(summary.errors.filter((e) => e.layer).map((e) => [e.layer, e.message]));
  return graph.layers.map((l) => {
    const s = byName.get(l.name);
    const def = layerDefinition(l.className);
    return {
      id: l.name,
      type: 'layer',
      position: layout[l.name] ?? { x: 0, y: 0 },
      selected: l.name === selected,
      data: {
        name: l.name,
        className: l.className,
        shape: s?.outputShape ? formatShape(s.outputShape) : '—',
        params: s?.params ?? 0,
        error: s?.error ?? extraErrors.get(l.name),
        ...(dataNotice?.layer === l.name ? { notice: dataNotice.message } : {}),
        color: def ? CATEGORY_COLORS[def.category] : '#94a3b8',
      },
    };
  });
}

export function toEdges(graph: LayerGraph): Edge[] {
  return graph.layers.flatMap((l) =>
    l.inbound.map((from) => ({ id: `${from}->${l.name}`, source: from, target: l.name, type: 'smoothstep', data: { from, to: l.name } })),
  );
}

/** Distance from point p to the segment a–b, for dropping a layer onto a wire. */
export function distanceToSegment(p: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}
