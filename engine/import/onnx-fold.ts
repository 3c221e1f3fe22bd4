// Constant folding: evaluates ONNX nodes whose inputs are all known constants (initializers,
// Constant nodes, shapes). This is how the Shape → Gather → Unsqueeze → Concat → Reshape chain
// that torch writes for `x.view(x.size(0), -1)`, and the Pad-amount arithmetic of nn.ZeroPad2d,
// turn into the plain numbers the converter needs. The batch size is unknown while converting:
// it is carried as NaN, so arithmetic on it stays NaN and Reshape can tell "the batch" apart.
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnx-reader';
import { OnnxType } from './onnx-reader';

export interface ConstValue {
  kind: 'const';
  dims: number[];
  /** Row-major values; NaN stands for the (unknown) batch size in shape arithmetic. */
  data: Float64Array;
  /** Integer tensors divide and cast by truncation. */
  integer: boolean;
}

export function constOf(dims: number[], data: ArrayLike<number>, integer = false): ConstValue {
  return { kind: 'const', dims, data: Float64Array.from(data), integer };
}

export function constFromTensor(t: OnnxTensor): ConstValue {
  return constOf(t.dims, t.data, t.dataType !== OnnxType.FLOAT && t.dataType !== OnnxType.DOUBLE && t.dataType !== OnnxType.FLOAT16);
}

const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Element-wise f over inputs broadcast numpy-style (as ONNX's multidirectional broadcasting). */
function broadcastN(vs: ConstValue[], f: (...xs: number[]) => number): ConstValue {
  const rank = Math.max(...vs.map((v) => v.dims.length));
  const padded = vs.map((v) => [...new Array(rank - v.dims.length).fill(1), ...v.dims] as number[]);
  const dims = new Array<number>(rank).fill(1).map((_, k) => {
    const ds = padded.map((p) => p[k]!).filter((d) => d !== 1);
    if (new Set(ds).size > 1) throw new FoldError(`shapes ${vs.map((v) => `[${v.dims}]`).join(' and ')} do not broadcast`);
    return ds[0] ?? 1;
  });
  const ins = padded.map(strides);
  const os = strides(dims);
  const out = new Float64Array(size(dims));
  const args = new Array<number>(vs.length);
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < vs.length; j++) {
      let r = i;
      let src = 0;
      for (let k = 0; k < rank; k++) {
        const idx = Math.floor(r / os[k]!);
        r -= idx * os[k]!;
        if (padded[j]![k] !== 1) src += idx * ins[j]![k]!;
      }
      args[j] = vs[j]!.data[src]!;
    }
    out[i] = f(...args);
  }
  return { kind: 'const', dims, data: out, integer: vs.every((v) => v.integer) };
}

function broadcast(a: ConstValue, b: ConstValue, f: (x: number, y: number) => number): ConstValue {
  return broadcastN([a, b], f);
}

export class FoldError extends Error {}

function attrInts(node: OnnxNode, key: string): number[] | null {
  const v = node.attributes[key];
  return Array.isArray(v) ? (v as number[]) : null;
}

function attrInt(node: OnnxNode, key: string, fallback: number): number {
  const v = node.attributes[key];
  return typeof v === 'number' ? v : fallback;
}

/** Integers from an optional constant input, or from an attribute in older opsets. */
function intsFrom(node: OnnxNode, inputs: (ConstValue | null)[], inputIndex: number, attr: string): number[] | null {
  const c = inputs[inputIndex];
  if (c) return Array.from(c.data);
  return attrInts(node, attr);
}

function transpose(x: ConstValue, perm: number[]): ConstValue {
  const dims = perm.map((p) => x.dims[p]!);
  const xs = strides(x.dims);
  const os = strides(dims);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    let r = i;
    let src = 0;
    for (let k = 0; k < dims.length; k++) {
      const idx = Math.floor(r / os[k]!);
      r -= idx * os[k]!;
      src += idx * xs[perm[k]!]!;
    }
    out[i] = x.data[src]!;
  }
  return { kind: 'const', dims, data: out, integer: x.integer };
}

export function transposeConst(x: ConstValue, perm: number[]): ConstValue {
  return transpose(x, perm);
}

function slice(x: ConstValue, starts: number[], ends: number[], axes: number[], steps: number[]): ConstValue {
  const rank = x.dims.length;
  const begin = new Array(rank).fill(0);
  const step = new Array(rank).fill(1);
  const count = [...x.dims];
  axes.forEach((a0, i) => {
    const a = normAxis(a0, rank);
    const d = x.dims[a]!;
    const s = steps[i] ?? 1;
    if (s === 0) throw new FoldError('Slice step 0');
    let st = starts[i]!;
    let en = ends[i]!;
    if (st < 0) st += d;
    if (en < 0) en += d;
    if (s > 0) {
      st = Math.min(Math.max(st, 0), d);
      en = Math.min(Math.max(en, 0), d);
      count[a] = Math.max(0, Math.ceil((en - st) / s));
    } else {
      st = Math.min(Math.max(st, -1), d - 1);
      en = Math.min(Math.max(en, -1), d - 1);
      count[a] = Math.max(0, Math.ceil((st - en) / -s));
    }
    begin[a] = st;
    step[a] = s;
  });
  const xs = strides(x.dims);
  const os = strides(count);
  const out = new Float64Array(size(count));
  for (let i = 0; i < out.length; i++) {
    let r = i;
    let src = 0;
    for (let k = 0; k < rank; k++) {
      const idx = Math.floor(r / os[k]!);
      r -= idx * os[k]!;
      src += (begin[k] + idx * step[k]) * xs[k]!;
    }
    out[i] = x.data[src]!;
  }
  return { kind: 'const', dims: count, data: out, integer: x.integer };
}

function gather(x: ConstValue, idx: ConstValue, axis0: number): ConstValue {
  const axis = normAxis(axis0, x.dims.length);
  const outer = size(x.dims.slice(0, axis));
  const inner = size(x.dims.slice(axis + 1));
  const d = x.dims[axis]!;
  const dims = [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)];
  const out = new Float64Array(size(dims));
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const raw of idx.data) {
      const j = raw < 0 ? raw + d : raw;
      if (!(j >= 0 && j < d)) throw new FoldError(`Gather index ${raw} out of range`);
      for (let b = 0; b < inner; b++) out[o++] = x.data[(a * d + j) * inner + b]!;
    }
  }
  return { kind: 'const', dims, data: out, integer: x.integer };
}

function reshapeDims(inDims: number[], target: number[], total: number): number[] {
  const dims = target.map((t, i) => (t === 0 ? inDims[i]! : t));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return dims.map((d) => (d === -1 ? total / known : d));
}

function attrTensor(node: OnnxNode, key: string): OnnxTensor | null {
  const v: OnnxAttribute | undefined = node.attributes[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
}

const castInteger = new Set<number>([OnnxType.INT8, OnnxType.INT16, OnnxType.INT32, OnnxType.INT64, OnnxType.UINT8, OnnxType.UINT16, OnnxType.UINT32, OnnxType.UINT64, OnnxType.BOOL]);

/**
 * Evaluates one node on constant inputs (null = omitted optional input). Returns the outputs, or
 * null when the op is not one this folder knows (the converter then reports the node).
 */
export function foldNode(node: OnnxNode, inputs: (ConstValue | null)[], opset: number): ConstValue[] | null {
  const x = inputs[0] ?? null;
  const need = (v: ConstValue | null | undefined): ConstValue => {
    if (!v) throw new FoldError(`${node.opType} is missing an input`);
    return v;
  };
  switch (node.opType) {
    case 'Constant': {
      const t = attrTensor(node, 'value');
      if (t) return [constFromTensor(t)];
      const a = node.attributes;
      if (typeof a['value_float'] === 'number') return [constOf([], [a['value_float']])];
      if (typeof a['value_int'] === 'number') return [constOf([], [a['value_int']], true)];
      if (Array.isArray(a['value_floats'])) return [constOf([(a['value_floats'] as number[]).length], a['value_floats'] as number[])];
      if (Array.isArray(a['value_ints'])) return [constOf([(a['value_ints'] as number[]).length], a['value_ints'] as number[], true)];
      return null;
    }
    case 'Identity':
      return [need(x)];
    case 'Cast': {
      const to = attrInt(node, 'to', OnnxType.FLOAT);
      const v = need(x);
      if (castInteger.has(to)) return [{ ...v, data: v.data.map((d) => (Number.isNaN(d) ? d : Math.trunc(d))), integer: true }];
      return [{ ...v, integer: false }];
    }
    case 'Shape': {
      const v = need(x);
      let dims = v.dims;
      if (opset >= 15) dims = dims.slice(attrInt(node, 'start', 0), node.attributes['end'] === undefined ? undefined : attrInt(node, 'end', dims.length));
      return [constOf([dims.length], dims, true)];
    }
    case 'Size':
      return [constOf([], [need(x).data.length], true)];
    case 'Gather':
      return [gather(need(x), need(inputs[1]), attrInt(node, 'axis', 0))];
    case 'Unsqueeze': {
      const v = need(x);
      const axes = intsFrom(node, inputs, 1, 'axes');
      if (!axes) throw new FoldError('Unsqueeze without axes');
      const rank = v.dims.length + axes.length;
      const sorted = axes.map((a) => normAxis(a, rank)).sort((a, b) => a - b);
      const dims = [...v.dims];
      for (const a of sorted) dims.splice(a, 0, 1);
      return [{ ...v, dims }];
    }
    case 'Squeeze': {
      const v = need(x);
      const axes = intsFrom(node, inputs, 1, 'axes');
      const drop = new Set(axes ? axes.map((a) => normAxis(a, v.dims.length)) : v.dims.map((d, i) => (d === 1 ? i : -1)));
      return [{ ...v, dims: v.dims.filter((_, i) => !drop.has(i)) }];
    }
    case 'Concat': {
      const parts = inputs.map(need);
      const rank = parts[0]!.dims.length;
      const axis = normAxis(attrInt(node, 'axis', 0), rank);
      const outer = size(parts[0]!.dims.slice(0, axis));
      const dims = [...parts[0]!.dims];
      dims[axis] = parts.reduce((s, p) => s + p.dims[axis]!, 0);
      const out = new Float64Array(size(dims));
      let o = 0;
      for (let a = 0; a < outer; a++) {
        for (const p of parts) {
          const chunk = size(p.dims.slice(axis));
          out.set(p.data.subarray(a * chunk, (a + 1) * chunk), o);
          o += chunk;
        }
      }
      return [{ kind: 'const', dims, data: out, integer: parts.every((p) => p.integer) }];
    }
    case 'Reshape': {
      const v = need(x);
      const target = Array.from(need(inputs[1]).data);
      if (target.some((t) => Number.isNaN(t))) throw new FoldError('Reshape of a constant to a batch-sized shape');
      return [{ ...v, dims: reshapeDims(v.dims, target, v.data.length) }];
    }
    case 'Flatten': {
      const v = need(x);
      const axis = normAxis(attrInt(node, 'axis', 1), v.dims.length);
      return [{ ...v, dims: [size(v.dims.slice(0, axis)), size(v.dims.slice(axis))] }];
    }
    case 'Transpose': {
      const v = need(x);
      const perm = attrInts(node, 'perm') ?? v.dims.map((_, i) => v.dims.length - 1 - i);
      return [transpose(v, perm)];
    }
    case 'Slice': {
      const v = need(x);
      const starts = intsFrom(node, inputs, 1, 'starts');
      const ends = intsFrom(node, inputs, 2, 'ends');
      if (!starts || !ends) throw new FoldError('Slice without starts/ends');
      const axes = intsFrom(node, inputs, 3, 'axes') ?? starts.map((_, i) => i);
      const steps = (opset >= 10 ? (inputs[4] ? Array.from(inputs[4].data) : null) : null) ?? starts.map(() => 1);
      return [slice(v, starts, ends, axes, steps)];
    }
    case 'ConstantOfShape': {
      const dims = Array.from(need(x).data);
      const t = attrTensor(node, 'value');
      const value = t ? t.data[0]! : 0;
      return [{ kind: 'const', dims, data: new Float64Array(size(dims)).fill(value), integer: t ? t.dataType !== OnnxType.FLOAT : false }];
    }
    case 'Range': {
      const [start, limit, delta] = [need(x).data[0]!, need(inputs[1]).data[0]!, need(inputs[2]).data[0]!];
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      return [constOf([n], Array.from({ length: n }, (_, i) => start + i * delta), need(x).integer)];
    }
    case 'Add':
      return [broadcast(need(x), need(inputs[1]), (a, b) => a + b)];
    case 'Sub':
      return [broadcast(need(x), need(inputs[1]), (a, b) => a - b)];
    case 'Mul':
      return [broadcast(need(x), need(inputs[1]), (a, b) => a * b)];
    case 'Div': {
      const [a, b] = [need(x), need(inputs[1])];
      const integer = a.integer && b.integer;
      return [broadcast(a, b, (p, q) => (integer ? Math.trunc(p / q) : p / q))];
    }
    case 'Pow':
      return [broadcast(need(x), need(inputs[1]), (a, b) => a ** b)];
    case 'Equal':
      return [{ ...broadcast(need(x), need(inputs[1]), (a, b) => (a === b ? 1 : 0)), integer: true }];
    case 'Where': {
      const [c, a, b] = [need(x), need(inputs[1]), need(inputs[2])];
      return [{ ...broadcastN([c, a, b], (cv, av, bv) => (cv ? av! : bv!)), integer: a.integer && b.integer }];
    }
    case 'Min':
      return [inputs.map(need).reduce((a, b) => broadcast(a, b, Math.min))];
    case 'Max':
      return [inputs.map(need).reduce((a, b) => broadcast(a, b, Math.max))];
    case 'Sqrt':
      return [{ ...need(x), data: need(x).data.map(Math.sqrt), integer: false }];
    case 'Neg':
      return [{ ...need(x), data: need(x).data.map((v) => -v) }];
    case 'Reciprocal':
      return [{ ...need(x), data: need(x).data.map((v) => 1 / v), integer: false }];
    default:
      return null;
  }
}
