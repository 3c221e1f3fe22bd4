// Where each layer goes on the canvas when a model is loaded or tidied. Top to bottom: a layer sits
// one row below its deepest input, layers of one row side by side. A long model continues in
// further columns, left to right, so it stays readable in a window — and a column ends only where
// the whole model passes through one layer (between residual blocks, never inside one), so a skip
// wire never has to cross from one column to the next.
import { topologicalOrder, type LayerGraph } from './graph';

export type Layout = Record<string, { x: number; y: number }>;

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  /** Rows a column holds before the model continues in the next one (where it can break). */
  rowsPerColumn: number;
  columnGap?: number;
  rowGap?: number;
}

export function autoLayout(graph: LayerGraph, o: LayoutOptions): Layout {
  const hGap = 40;
  const rowGap = o.rowGap ?? 34;
  const columnGap = o.columnGap ?? 80;
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
  const ranks = [...rows.keys()].sort((a, b) => a - b);

  // A rank is a place to break between columns when it holds one layer and no wire passes over it.
  const spanned = new Set<number>();
  for (const l of order) {
    for (const from of l.inbound) {
      for (let r = depth.get(from)! + 1; r < depth.get(l.name)!; r++) spanned.add(r);
    }
  }
  const breakable = (r: number) => rows.get(r)!.length === 1 && !spanned.has(r);

  // Columns: fill up to rowsPerColumn rows, then break at the next breakable rank.
  const wrap = ranks.length > o.rowsPerColumn + 1;
  const columns: number[][] = [[]];
  for (const r of ranks) {
    const current = columns[columns.length - 1]!;
    if (wrap && current.length >= o.rowsPerColumn && breakable(r)) columns.push([r]);
    else current.push(r);
  }

  const layout: Layout = {};
  const slot = o.nodeWidth + hGap;
  const columnOf = new Map<string, number>();
  let left = 0;
  for (const [ci, column] of columns.entries()) {
    for (const r of column) for (const n of rows.get(r)!) columnOf.set(n, ci);
    const widest = Math.max(1, ...column.map((r) => rows.get(r)!.length));
    const centre = left + ((widest - 1) * slot) / 2;
    column.forEach((r, row) => {
      const names = rows.get(r)!;
      names.forEach((n, i) => (layout[n] = { x: centre + (i - (names.length - 1) / 2) * slot, y: row * (o.nodeHeight + rowGap) }));
    });
    left += widest * slot + columnGap;
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
        if (d > d0 && d < d1 && Math.abs(layout[other.name]!.x - x) < o.nodeWidth / 2) layout[other.name] = { ...layout[other.name]!, x: x + o.nodeWidth * 0.75 };
      }
    }
  }

  // Moving aside can put a layer onto its neighbour in the row, or past its column's right edge:
  // push neighbours right within each row, then each column right of the one before it.
  for (const names of rows.values()) {
    const sorted = [...names].sort((a, b) => layout[a]!.x - layout[b]!.x);
    for (let i = 1; i < sorted.length; i++) {
      const prev = layout[sorted[i - 1]!]!.x;
      const cur = layout[sorted[i]!]!;
      if (cur.x < prev + slot) layout[sorted[i]!] = { ...cur, x: prev + slot };
    }
  }
  let rightEdge = -Infinity;
  for (let ci = 0; ci < columns.length; ci++) {
    const members = [...columnOf].filter(([, c]) => c === ci).map(([n]) => n);
    const minX = Math.min(...members.map((n) => layout[n]!.x));
    const shift = ci > 0 ? Math.max(0, rightEdge + columnGap - minX) : 0;
    for (const n of members) layout[n] = { ...layout[n]!, x: layout[n]!.x + shift };
    rightEdge = Math.max(...members.map((n) => layout[n]!.x + o.nodeWidth));
  }
  return layout;
}
