// Fast paths for the element-wise kernels that dominate optimizer updates and bias/activation
// gradients on the cpu backend. The stock binary kernels call a closure per element and fall into
// an index-arithmetic loop for any broadcast (even a bias row); these handle equal shapes, a scalar
// operand and a trailing-dims ("row") broadcast with plain loops, and report `null` otherwise so the
// caller can use the stock kernel. Every result is the same float32 rounding of the same double
// expression as the stock kernel computes.
import { backend_util, util } from '@tensorflow/tfjs-core';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'sqdiff';

function loop(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, n: number, aOff: number, bOff: number, aStep: number, bStep: number, oOff: number): void {
  // Specialised per op so that V8 inlines the arithmetic; step 0 means a broadcast scalar.
  switch (op) {
    case 'add': for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStep, ib += bStep) out[oOff + i] = a[ia]! + b[ib]!; break;
    case 'sub': for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStep, ib += bStep) out[oOff + i] = a[ia]! - b[ib]!; break;
    case 'mul': for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStep, ib += bStep) out[oOff + i] = a[ia]! * b[ib]!; break;
    case 'div': for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStep, ib += bStep) out[oOff + i] = a[ia]! / b[ib]!; break;
    case 'max': for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStep, ib += bStep) out[oOff + i] = Math.max(a[ia]!, b[ib]!); break;
    case 'min': for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStep, ib += bStep) out[oOff + i] = Math.min(a[ia]!, b[ib]!); break;
    case 'sqdiff': for (let i = 0, ia = aOff, ib = bOff; i < n; i++, ia += aStep, ib += bStep) { const d = a[ia]! - b[ib]!; out[oOff + i] = d * d; } break;
  }
}

/** True when `small` (leading 1s dropped) equals the tail of `full`: a broadcast along leading dims only. */
function isSuffix(small: number[], full: number[]): boolean {
  let i = 0;
  while (i < small.length && small[i] === 1) i++;
  const tail = small.slice(i);
  const off = full.length - tail.length;
  return off >= 0 && tail.every((d, k) => d === full[off + k]);
}

/** a op b with broadcasting, or null when the shapes need the general broadcast path. */
export function binary(op: BinaryOp, aShape: number[], a: Float32Array, bShape: number[], b: Float32Array): { shape: number[]; values: Float32Array } | null {
  const shape = backend_util.assertAndGetBroadcastShape(aShape, bShape);
  const out = new Float32Array(util.sizeFromShape(shape));
  return binaryInto(op, a, b, shape, aShape, bShape, out) ? { shape, values: out } : null;
}

/** True when `binaryInto` handles this broadcast (equal sizes, a scalar, or a trailing-dims row). */
export function handlesBroadcast(aShape: number[], bShape: number[], shape: number[]): boolean {
  const n = util.sizeFromShape(shape);
  const na = util.sizeFromShape(aShape), nb = util.sizeFromShape(bShape);
  return (na === n && nb === n) || (nb === 1 && na === n) || (na === 1 && nb === n) ||
    (na === n && nb > 0 && isSuffix(bShape, shape)) || (nb === n && na > 0 && isSuffix(aShape, shape));
}

/** a op b broadcast to `shape`, written into `out`; false (nothing written) for other broadcasts. */
export function binaryInto(op: BinaryOp, a: Float32Array, b: Float32Array, shape: number[], aShape: number[], bShape: number[], out: Float32Array): boolean {
  const n = util.sizeFromShape(shape);
  if (a.length === n && b.length === n) loop(op, a, b, out, n, 0, 0, 1, 1, 0);
  else if (b.length === 1 && a.length === n) loop(op, a, b, out, n, 0, 0, 1, 0, 0);
  else if (a.length === 1 && b.length === n) loop(op, a, b, out, n, 0, 0, 0, 1, 0);
  else if (a.length === n && b.length > 0 && isSuffix(bShape, shape)) rowLoop(op, a, b, out, n, false);
  else if (b.length === n && a.length > 0 && isSuffix(aShape, shape)) rowLoop(op, b, a, out, n, true);
  else return false;
  return true;
}

// full op row (or row op full when `rowFirst`), the row repeating along `full`: one flat loop with a
// wrapping row index, since a loop call per row costs more than the arithmetic for short rows (a
// conv layer's 6-channel bias).
function rowLoop(op: BinaryOp, full: Float32Array, row: Float32Array, out: Float32Array, n: number, rowFirst: boolean): void {
  const r = row.length;
  let j = 0;
  if (op === 'add') {
    for (let i = 0; i < n; i++) { out[i] = full[i]! + row[j]!; if (++j === r) j = 0; }
  } else if (op === 'mul') {
    for (let i = 0; i < n; i++) { out[i] = full[i]! * row[j]!; if (++j === r) j = 0; }
  } else {
    const f = BINARY_FN[op];
    if (rowFirst) for (let i = 0; i < n; i++) { out[i] = f(row[j]!, full[i]!); if (++j === r) j = 0; }
    else for (let i = 0; i < n; i++) { out[i] = f(full[i]!, row[j]!); if (++j === r) j = 0; }
  }
}

const BINARY_FN: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
  max: Math.max, min: Math.min, sqdiff: (x, y) => (x - y) * (x - y),
};

export type UnaryOp = 'relu' | 'step' | 'sqrt' | 'square' | 'neg' | 'relu6';

export function unary(op: UnaryOp, x: Float32Array, alpha = 0): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  switch (op) {
    case 'relu': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v < 0 ? 0 : v; } break;
    case 'relu6': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v < 0 ? 0 : v > 6 ? 6 : v; } break;
    // Step as the stock kernel: NaN stays NaN, x > 0 gives 1, else alpha.
    case 'step': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = Number.isNaN(v) ? NaN : v > 0 ? 1 : alpha; } break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!); break;
    case 'square': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v * v; } break;
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]!; break;
  }
  return out;
}

/**
 * Sum over `axes` when they are one contiguous run (bias gradients: [N, ..., C] -> [C]; global
 * average pooling: [N, H, W, C] -> [N, C]; row sums); null otherwise. Accumulates in float64.
 */
export function sum(shape: number[], x: Float32Array, axes: number[]): { shape: number[]; values: Float32Array } | null {
  const sorted = [...axes].sort((p, q) => p - q);
  if (sorted.length === 0) return null;
  const contiguous = sorted.every((v, i) => i === 0 || v === sorted[i - 1]! + 1);
  if (!contiguous) return null;
  const outShape = shape.filter((_, i) => !sorted.includes(i));
  const a0 = sorted[0]!, a1 = sorted[sorted.length - 1]! + 1;
  const outer = util.sizeFromShape(shape.slice(0, a0));
  const reduce = util.sizeFromShape(shape.slice(a0, a1));
  const inner = util.sizeFromShape(shape.slice(a1));
  if (inner === 1) {
    const out = new Float32Array(outer);
    for (let o = 0; o < outer; o++) { let s = 0; const base = o * reduce; for (let j = 0; j < reduce; j++) s += x[base + j]!; out[o] = s; }
    return { shape: outShape, values: out };
  }
  const out = new Float32Array(outer * inner);
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    // One flat loop with a wrapping column index (rows are often a handful of channels).
    const n = reduce * inner, base = o * n;
    for (let i = 0, j = 0; i < n; i++) { acc[j]! += x[base + i]!; if (++j === inner) j = 0; }
    for (let j = 0; j < inner; j++) out[o * inner + j] = acc[j]!;
  }
  return { shape: outShape, values: out };
}

/** A reduction's axis attribute as distinct non-negative axes (none means all). */
export function normalizeAxes(axis: number | number[] | null | undefined, rank: number): number[] {
  if (axis == null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))];
}

/**
 * A reduction over one run of neighbouring axes that keeps the last axis, as blocks: per index of
 * the axes before the run (`outer` of them), `rows` rows of `cols` values sum into one row. A bias
 * gradient sums leading axes (first 0); global average pooling sums H and W of [N, H, W, C] (outer
 * N). Null for other axis sets: none, ones with a gap, or (unless `lastAxis`, for kernels that
 * handle a block of one column) ones that include the last axis.
 */
export function reductionBlocks(shape: number[], axes: number[], lastAxis = false): { first: number; outer: number; rows: number; cols: number; outShape: number[] } | null {
  const sorted = [...axes].sort((p, q) => p - q);
  const first = sorted[0], last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined || (!lastAxis && last >= shape.length - 1) || !sorted.every((v, i) => v === first + i)) return null;
  return {
    first, outer: util.sizeFromShape(shape.slice(0, first)), rows: util.sizeFromShape(shape.slice(first, last + 1)), cols: util.sizeFromShape(shape.slice(last + 1)),
    outShape: shape.filter((_, i) => i < first || i > last),
  };
}

/**
 * Per-channel batch-norm constants (y = (x - mean) * scale + shift) when every parameter has one
 * value or one per channel (C, the last dimension), else null (the stock kernel's general
 * wrap-around indexing then applies).
 */
export function batchNormConstants(C: number, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null, eps: number): { mean: Float32Array; scale: Float32Array; shift: Float32Array } | null {
  const ok = (v: Float32Array | null): boolean => v === null || v.length === 1 || v.length === C;
  if (!ok(mean) || !ok(variance) || !ok(offset) || !ok(scale)) return null;
  const at = (v: Float32Array | null, c: number, dflt: number): number => (v === null ? dflt : v[v.length === 1 ? 0 : c]!);
  const k = { mean: new Float32Array(C), scale: new Float32Array(C), shift: new Float32Array(C) };
  for (let c = 0; c < C; c++) {
    k.mean[c] = at(mean, c, 0);
    k.scale[c] = at(scale, c, 1) / Math.sqrt(at(variance, c, 0) + eps);
    k.shift[c] = at(offset, c, 0);
  }
  return k;
}

/** A rank-4 padding of rows and columns only (none on the batch or channel axes), non-negative. */
export function isSpatialPad(shape: number[], paddings: [number, number][]): boolean {
  return shape.length === 4 && paddings.length === 4 && paddings[0]![0] === 0 && paddings[0]![1] === 0 && paddings[3]![0] === 0 && paddings[3]![1] === 0 &&
    paddings.every(([a, b]) => a >= 0 && b >= 0);
}

/**
 * A Tile whose repeated axes (rep > 1) all have size 1 and lie next to each other: per index of the
 * axes before them (`outer`), the block of the axes after them (`block` values) is repeated `copies`
 * times. A batch-norm gradient tiles a [1, 1, 1, C] row over the whole batch (outer 1); a global
 * average pooling's gradient tiles [N, 1, 1, C] over each image (outer N). Null for other tiles.
 */
export function tileBlocks(shape: number[], reps: number[]): { outer: number; block: number; copies: number } | null {
  if (reps.length !== shape.length) return null;
  const repeated = reps.flatMap((r, i) => (r !== 1 ? [i] : []));
  if (repeated.some((i, k) => shape[i] !== 1 || (k > 0 && i !== repeated[k - 1]! + 1))) return null;
  const first = repeated[0] ?? shape.length, last = repeated[repeated.length - 1] ?? shape.length - 1;
  return { outer: util.sizeFromShape(shape.slice(0, first)), block: util.sizeFromShape(shape.slice(last + 1)), copies: util.sizeFromShape(repeated.map((i) => reps[i]!)) };
}

/** out = x tiled as tileBlocks describes: each outer index's block repeated (memmove speed). */
export function tileInto(out: Float32Array, x: Float32Array, { outer, block, copies }: { outer: number; block: number; copies: number }): void {
  for (let o = 0; o < outer; o++) repeatInto(out.subarray(o * block * copies, (o + 1) * block * copies), x.subarray(o * block, (o + 1) * block), copies);
}

/** Fills out (copies * row.length values) with row repeated, by doubling copies (memmove speed). */
function repeatInto(out: Float32Array, row: Float32Array, copies: number): void {
  const n = row.length;
  if (n === 0 || copies === 0) return;
  out.set(row, 0);
  let filled = n;
  const total = n * copies;
  while (filled < total) {
    const len = Math.min(filled, total - filled);
    out.copyWithin(filled, 0, len);
    filled += len;
  }
}

/** Copies the slice [begin, begin + size) of x (shape) into out, in contiguous runs of the innermost full axes. */
export function sliceInto(shape: number[], x: Float32Array, begin: number[], size: number[], out: Float32Array): void {
  const r = shape.length;
  // Innermost axes sliced whole form one contiguous run together with the next axis's range.
  let inner = 1, k = r - 1;
  while (k > 0 && begin[k] === 0 && size[k] === shape[k]) inner *= shape[k--]!;
  const run = inner * size[k]!;
  const strides = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  const outer = size.slice(0, k).reduce((p, q) => p * q, 1);
  const idx = new Array<number>(k).fill(0);
  let o = 0;
  for (let t = 0; t < outer; t++) {
    let src = begin[k]! * strides[k]!;
    for (let i = 0; i < k; i++) src += (begin[i]! + idx[i]!) * strides[i]!;
    out.set(x.subarray(src, src + run), o);
    o += run;
    for (let i = k - 1; i >= 0; i--) { if (++idx[i]! < size[i]!) break; idx[i] = 0; }
  }
}
