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
  const n = util.sizeFromShape(shape);
  const out = new Float32Array(n);
  if (a.length === n && b.length === n) loop(op, a, b, out, n, 0, 0, 1, 1, 0);
  else if (b.length === 1 && a.length === n) loop(op, a, b, out, n, 0, 0, 1, 0, 0);
  else if (a.length === 1 && b.length === n) loop(op, a, b, out, n, 0, 0, 0, 1, 0);
  else if (a.length === n && b.length > 0 && isSuffix(bShape, shape)) {
    const row = b.length;
    for (let o = 0; o < n; o += row) loop(op, a, b, out, row, o, 0, 1, 1, o);
  } else if (b.length === n && a.length > 0 && isSuffix(aShape, shape)) {
    const row = a.length;
    for (let o = 0; o < n; o += row) loop(op, a, b, out, row, 0, o, 1, 1, o);
  } else return null;
  return { shape, values: out };
}

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
 * Sum over `axes` when they are a leading run (bias gradients: [N, ..., C] -> [C]) or a trailing run;
 * null otherwise. Accumulates in float64 in the same order as the stock kernel.
 */
export function sum(shape: number[], x: Float32Array, axes: number[]): { shape: number[]; values: Float32Array } | null {
  const r = shape.length;
  const sorted = [...axes].sort((p, q) => p - q);
  if (sorted.length === 0) return null;
  const contiguous = sorted.every((v, i) => i === 0 || v === sorted[i - 1]! + 1);
  if (!contiguous) return null;
  const outShape = shape.filter((_, i) => !sorted.includes(i));
  if (sorted[0] === 0) {
    const reduce = util.sizeFromShape(shape.slice(0, sorted.length));
    const inner = util.sizeFromShape(shape.slice(sorted.length));
    const acc = new Float64Array(inner);
    for (let o = 0; o < reduce; o++) { const base = o * inner; for (let j = 0; j < inner; j++) acc[j]! += x[base + j]!; }
    return { shape: outShape, values: Float32Array.from(acc) };
  }
  if (sorted[sorted.length - 1] === r - 1) {
    const inner = util.sizeFromShape(shape.slice(r - sorted.length));
    const outer = util.sizeFromShape(shape.slice(0, r - sorted.length));
    const out = new Float32Array(outer);
    for (let o = 0; o < outer; o++) { let s = 0; const base = o * inner; for (let j = 0; j < inner; j++) s += x[base + j]!; out[o] = s; }
    return { shape: outShape, values: out };
  }
  return null;
}
