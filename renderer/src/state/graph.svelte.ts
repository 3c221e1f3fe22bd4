// The model being built: a layer graph plus canvas positions (kept beside the model, keyed by
// layer name, never inside Keras configs), with unlimited undo/redo of every edit.
import type { LayerGraph } from '../../../common/model/graph';
import { graphFromTopology, topologyFromGraph, topologicalOrder } from '../../../common/model/graph';
import type { ModelTopology } from '../../../common/model/keras-format';
import { summarizeGraph, type ModelSummary } from '../../../common/model/summary';
import { emptyGraph } from '../../../common/model/graph-edit';

export type Layout = Record<string, { x: number; y: number }>;
interface Snapshot {
  graph: LayerGraph;
  layout: Layout;
  fromTemplate: string | null;
}

export const NODE_WIDTH = 236;
export const NODE_HEIGHT = 86;

/** Rows per column before a long model continues in the next column (to the right). */
const ROWS_PER_COLUMN = 5;

/**
 * Top-to-bottom layout: a layer sits one row below its deepest input; rows are centred. A long
 * model continues in further columns, left to right, so it fits a window at a readable size.
 */
export function autoLayout(graph: LayerGraph): Layout {
  let order;
  try {
    order = topologicalOrder(graph);
  } catch {
    order = graph.layers;
  }
  const depth = new Map<string, number>();
  for (const l of order) depth.set(l.name, l.inbound.length ? Math.max(...l.inbound.map((i) => (depth.get(i) ?? 0) + 1)) : 0);
  const rows = new Map<number, string[]>();
  for (const l of order) rows.set(depth.get(l.name)!, [...(rows.get(depth.get(l.name)!) ?? []), l.name]);
  const layout: Layout = {};
  const widest = Math.max(1, ...[...rows.values()].map((names) => names.length));
  const columnWidth = widest * (NODE_WIDTH + 40) + 40;
  const wrap = rows.size > ROWS_PER_COLUMN + 1;
  for (const [d, names] of rows) {
    const column = wrap ? Math.floor(d / ROWS_PER_COLUMN) : 0;
    const row = wrap ? d % ROWS_PER_COLUMN : d;
    names.forEach((n, i) => (layout[n] = { x: column * columnWidth + (i - (names.length - 1) / 2) * (NODE_WIDTH + 40), y: row * (NODE_HEIGHT + 34) }));
  }
  // A wire that skips rows (a residual connection) would run straight through the layers between
  // its ends: move those layers aside so the skip wire stays visible.
  for (const l of order) {
    for (const from of l.inbound) {
      const d0 = depth.get(from)!;
      const d1 = depth.get(l.name)!;
      if (d1 - d0 < 2) continue;
      const x = layout[from]!.x;
      for (const other of order) {
        const d = depth.get(other.name)!;
        if (d > d0 && d < d1 && Math.abs(layout[other.name]!.x - x) < NODE_WIDTH / 2) layout[other.name] = { ...layout[other.name]!, x: x + NODE_WIDTH * 0.75 };
      }
    }
  }
  return layout;
}

export class GraphState {
  graph = $state.raw<LayerGraph>(emptyGraph());
  layout = $state.raw<Layout>({});
  selected = $state<string | null>(null);
  /** Template the graph still equals (cleared by the first edit), so a new dataset can re-adapt it. */
  fromTemplate = $state<string | null>(null);
  dirty = $state(false);
  /** Counts whole-model loads (templates, projects), so the canvas can re-fit its view. */
  loadCount = $state(0);
  undoCount = $state(0);
  redoCount = $state(0);
  summary: ModelSummary = $derived(summarizeGraph(this.graph));
  private undoStack: Snapshot[] = [];
  private redoStack: Snapshot[] = [];

  private snapshot(): Snapshot {
    return { graph: this.graph, layout: this.layout, fromTemplate: this.fromTemplate };
  }

  private restore(s: Snapshot): void {
    this.graph = s.graph;
    this.layout = s.layout;
    this.fromTemplate = s.fromTemplate;
    if (this.selected && !s.graph.layers.some((l) => l.name === this.selected)) this.selected = null;
  }

  private record(): void {
    this.undoStack.push(this.snapshot());
    this.redoStack = [];
    this.undoCount = this.undoStack.length;
    this.redoCount = 0;
    this.dirty = true;
  }

  /** Applies one edit (an undo step). New layers without a position get one below their input. */
  apply(next: LayerGraph, layout?: Layout, options: { keepTemplate?: boolean } = {}): void {
    if (next === this.graph && !layout) return;
    this.record();
    const merged: Layout = { ...(layout ?? this.layout) };
    for (const l of next.layers) {
      if (!merged[l.name]) {
        const parent = l.inbound[0] ? merged[l.inbound[0]] : undefined;
        merged[l.name] = parent ? { x: parent.x + 30, y: parent.y + NODE_HEIGHT + 34 } : { x: 0, y: 0 };
      }
    }
    for (const name of Object.keys(merged)) if (!next.layers.some((l) => l.name === name)) delete merged[name];
    this.graph = next;
    this.layout = merged;
    if (!options.keepTemplate) this.fromTemplate = null;
  }

  move(name: string, position: { x: number; y: number }): void {
    const old = this.layout[name];
    if (old && Math.abs(old.x - position.x) < 0.5 && Math.abs(old.y - position.y) < 0.5) return;
    this.record();
    this.layout = { ...this.layout, [name]: position };
  }

  tidy(): void {
    this.record();
    this.layout = autoLayout(this.graph);
  }

  undo(): void {
    const s = this.undoStack.pop();
    if (!s) return;
    this.redoStack.push(this.snapshot());
    this.restore(s);
    this.undoCount = this.undoStack.length;
    this.redoCount = this.redoStack.length;
    this.dirty = true;
  }

  redo(): void {
    const s = this.redoStack.pop();
    if (!s) return;
    this.undoStack.push(this.snapshot());
    this.restore(s);
    this.undoCount = this.undoStack.length;
    this.redoCount = this.redoStack.length;
    this.dirty = true;
  }

  /** Loads a model (a template, a project) as one undoable edit. */
  loadTopology(topology: ModelTopology, layout: Layout | null, fromTemplate: string | null): void {
    const graph = graphFromTopology(topology);
    this.apply(graph, layout ?? autoLayout(graph));
    this.fromTemplate = fromTemplate;
    this.selected = null;
    this.loadCount++;
  }

  /** Replaces everything without an undo step (opening a project, New). */
  reset(topology: ModelTopology | null, layout: Layout | null): void {
    const graph = topology ? graphFromTopology(topology) : emptyGraph();
    this.graph = graph;
    this.layout = layout ?? autoLayout(graph);
    this.fromTemplate = null;
    this.selected = null;
    this.undoStack = [];
    this.redoStack = [];
    this.undoCount = this.redoCount = 0;
    this.dirty = false;
    this.loadCount++;
  }

  topology(): ModelTopology {
    return topologyFromGraph(this.graph);
  }

  get trainable(): boolean {
    return this.graph.layers.length > 1 && this.summary.errors.length === 0;
  }
}

export const graphState = new GraphState();
