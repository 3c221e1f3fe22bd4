// The model being built: a layer graph plus canvas positions (kept beside the model, keyed by
// layer name, never inside Keras configs), with unlimited undo/redo of every edit.
import type { LayerGraph } from '../../../common/model/graph';
import { graphFromTopology, topologyFromGraph } from '../../../common/model/graph';
import type { ModelTopology } from '../../../common/model/keras-format';
import { summarizeGraph, type ModelSummary } from '../../../common/model/summary';
import { emptyGraph } from '../../../common/model/graph-edit';

import { autoLayout as layoutGraph, type Layout } from '../../../common/model/auto-layout';
export type { Layout };
/** A model opened from a file (ONNX, Keras, TF.js): training starts from its weights. */
export interface ModelFile {
  /** Where the engine reads it (a path on the desktop, the upload's path in a browser). */
  path: string;
  name: string;
  /** How images are scaled for it, when the person overrides what the import detected. */
  preprocess?: 'imagenet' | 'unit' | 'none';
  /** A file of class names (one per line, or a JSON array) and its name as the person knows it. */
  classesFile?: string;
  classesName?: string;
}

interface Snapshot {
  graph: LayerGraph;
  layout: Layout;
  fromTemplate: string | null;
  fromFile: ModelFile | null;
}

export const NODE_WIDTH = 236;
export const NODE_HEIGHT = 86;

/** Rows per column before a long model continues in the next column (to the right). */
const ROWS_PER_COLUMN = 5;

/** The canvas's layout of a graph (see common/model/auto-layout.ts). */
export function autoLayout(graph: LayerGraph): Layout {
  return layoutGraph(graph, { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT, rowsPerColumn: ROWS_PER_COLUMN });
}

export class GraphState {
  graph = $state.raw<LayerGraph>(emptyGraph());
  layout = $state.raw<Layout>({});
  selected = $state<string | null>(null);
  /** Template the graph still equals (cleared by the first edit), so a new dataset can re-adapt it. */
  fromTemplate = $state<string | null>(null);
  /** Model file the graph still equals (cleared by the first edit: an edited graph trains from fresh weights). */
  fromFile = $state.raw<ModelFile | null>(null);
  dirty = $state(false);
  /** Counts whole-model loads (templates, projects), so the canvas can re-fit its view. */
  loadCount = $state(0);
  undoCount = $state(0);
  redoCount = $state(0);
  summary: ModelSummary = $derived(summarizeGraph(this.graph));
  private undoStack: Snapshot[] = [];
  private redoStack: Snapshot[] = [];

  private snapshot(): Snapshot {
    return { graph: this.graph, layout: this.layout, fromTemplate: this.fromTemplate, fromFile: this.fromFile };
  }

  private restore(s: Snapshot): void {
    this.graph = s.graph;
    this.layout = s.layout;
    this.fromTemplate = s.fromTemplate;
    this.fromFile = s.fromFile;
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
    if (!options.keepTemplate) {
      this.fromTemplate = null;
      this.fromFile = null;
    }
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

  /** Loads a model opened from a file as one undoable edit; it trains from the file's weights until edited. */
  loadFile(topology: ModelTopology, file: ModelFile): void {
    this.loadTopology(topology, null, null);
    this.fromFile = file;
  }

  /** Replaces everything without an undo step (opening a project, New). */
  reset(topology: ModelTopology | null, layout: Layout | null): void {
    const graph = topology ? graphFromTopology(topology) : emptyGraph();
    this.graph = graph;
    this.layout = layout ?? autoLayout(graph);
    this.fromTemplate = null;
    this.fromFile = null;
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
