// Reads an ONNX file (a protobuf ModelProto) into plain objects the converter can walk: nodes
// with decoded attributes, initializers as typed arrays, graph inputs and outputs with shapes.
// Decoding is protobufjs 7 with the vendored onnx.proto (see onnx-schema.ts for why).
import * as protobuf from 'protobufjs';
import { onnxSchema } from './onnx-schema';
import { ModelImportError, reason } from './errors';

/** ONNX TensorProto.DataType values this reader decodes. */
export const OnnxType = { FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** FLOAT (and FLOAT16) as float32; every integer type and DOUBLE as float64 (exact below 2^53). */
  data: Float32Array | Float64Array;
}

export type OnnxAttribute = number | string | number[] | string[] | OnnxTensor | null;

export interface OnnxNode {
  /** Position in the graph, as the error messages count (0-based). */
  index: number;
  name: string;
  opType: string;
  /** '' for the default ONNX domain. */
  domain: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

/** A dimension: a number, a symbolic name ('batch'), or null when nothing is known. */
export type OnnxDim = number | string | null;

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** null when the file gives no shape. */
  shape: OnnxDim[] | null;
}

export interface OnnxGraph {
  irVersion: number;
  /** The default domain's opset. */
  opset: number;
  producer: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  /** Graph inputs that are not initializers: what a caller feeds. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Shapes torch.onnx.export infers for intermediate values, by name (may be empty). */
  valueInfo: Map<string, OnnxValueInfo>;
  metadata: Record<string, string>;
}

function modelType(): protobuf.Type {
  return onnxSchema().lookupType('onnx.ModelProto');
}

type Obj = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : '');

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decodeTensor(t: Obj, where: string): OnnxTensor {
  const name = str(t['name']);
  const dims = arr(t['dims']).map(num);
  const dataType = num(t['data_type']);
  // A stored tensor's sizes are whole and at least 0 (-1 or a symbol is for shapes of values, not of data).
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ModelImportError(`${where}: tensor "${name}" has the shape [${dims.join(', ')}]; a stored tensor's sizes are whole numbers of at least 0. The file is damaged.`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (num(t['data_location']) === 1) {
    throw new ModelImportError(`${where}: tensor "${name}" keeps its data in an external file; export the model with its weights inside (torch.onnx.export without external data).`);
  }
  const raw = t['raw_data'] instanceof Uint8Array ? (t['raw_data'] as Uint8Array) : null;
  const isFloat = dataType === OnnxType.FLOAT || dataType === OnnxType.FLOAT16;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const sizes: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 };
    const size = sizes[dataType];
    if (!size) throw new ModelImportError(`${where}: tensor "${name}" has data type ${dataType}, which Glasswing does not read.`);
    if (raw.length < count * size) throw new ModelImportError(`${where}: tensor "${name}" has ${raw.length} bytes of data; its shape [${dims.join(', ')}] needs ${count * size}. The file is damaged.`);
    const out = isFloat ? new Float32Array(count) : new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const o = i * size;
      switch (dataType) {
        case OnnxType.FLOAT: out[i] = view.getFloat32(o, true); break;
        case OnnxType.FLOAT16: out[i] = halfToFloat(view.getUint16(o, true)); break;
        case OnnxType.UINT8: case OnnxType.BOOL: out[i] = view.getUint8(o); break;
        case OnnxType.INT8: out[i] = view.getInt8(o); break;
        case OnnxType.UINT16: out[i] = view.getUint16(o, true); break;
        case OnnxType.INT16: out[i] = view.getInt16(o, true); break;
        case OnnxType.INT32: out[i] = view.getInt32(o, true); break;
        case OnnxType.UINT32: out[i] = view.getUint32(o, true); break;
        case OnnxType.INT64: out[i] = Number(view.getBigInt64(o, true)); break;
        case OnnxType.UINT64: out[i] = Number(view.getBigUint64(o, true)); break;
        case OnnxType.DOUBLE: out[i] = view.getFloat64(o, true); break;
      }
    }
    return { name, dims, dataType, data: out };
  }
  // Typed fields (small constants are often written this way).
  const field =
    dataType === OnnxType.FLOAT ? 'float_data'
    : dataType === OnnxType.INT64 ? 'int64_data'
    : dataType === OnnxType.DOUBLE ? 'double_data'
    : dataType === OnnxType.UINT32 || dataType === OnnxType.UINT64 ? 'uint64_data'
    : dataType === OnnxType.STRING ? null
    : 'int32_data';
  if (field === null) throw new ModelImportError(`${where}: tensor "${name}" holds strings, which Glasswing does not read.`);
  const values = arr(t[field]).map(num);
  if (values.length !== count) {
    throw new ModelImportError(`${where}: tensor "${name}" has ${values.length} values; its shape [${dims.join(', ')}] needs ${count}. The file is damaged.`);
  }
  const data = isFloat ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = dataType === OnnxType.FLOAT16 ? halfToFloat(values[i]!) : values[i]!;
  return { name, dims, dataType, data };
}

function decodeAttribute(a: Obj, where: string): OnnxAttribute {
  // AttributeProto.type: FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, FLOATS 6, INTS 7, STRINGS 8.
  switch (num(a['type'])) {
    case 1: return num(a['f']);
    case 2: return num(a['i']);
    case 3: return str(a['s']);
    case 4: return decodeTensor(a['t'] as Obj, where);
    case 6: return arr(a['floats']).map(num);
    case 7: return arr(a['ints']).map(num);
    case 8: return arr(a['strings']).map(str);
    default: return null; // graphs (If/Loop bodies) and sparse tensors: the ops that use them are not converted
  }
}

function valueInfo(v: Obj): OnnxValueInfo {
  const tensor = ((v['type'] as Obj | undefined)?.['tensor_type'] ?? null) as Obj | null;
  const shape = tensor?.['shape'] as Obj | undefined;
  return {
    name: str(v['name']),
    elemType: num(tensor?.['elem_type']),
    shape: shape ? arr(shape['dim']).map((d) => {
      const dim = d as Obj;
      if (dim['dim_value'] !== undefined && dim['dim_value'] !== null) return num(dim['dim_value']);
      if (typeof dim['dim_param'] === 'string' && dim['dim_param']) return dim['dim_param'] as string;
      return null;
    }) : null,
  };
}

/** Decodes ONNX bytes. `file` names the file in every message. */
export function readOnnx(bytes: Uint8Array, file: string): OnnxGraph {
  if (bytes.length === 0) throw new ModelImportError(`${file} is empty.`);
  let model: Obj;
  try {
    const type = modelType();
    model = type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as Obj;
  } catch (e) {
    throw new ModelImportError(`${file} is not a readable ONNX model (it may be truncated or not ONNX at all): ${reason(e)}.`);
  }
  const graph = model['graph'] as Obj | undefined;
  const nodesRaw = arr(graph?.['node']);
  if (!graph || nodesRaw.length === 0 || !(num(model['ir_version']) > 0)) {
    throw new ModelImportError(`${file} is not an ONNX model: it has no graph of operators (is it really a .onnx file?).`);
  }
  const opsets = arr(model['opset_import']) as Obj[];
  const defaultOpset = opsets.find((o) => !o['domain'] || o['domain'] === 'ai.onnx');
  const initializers = new Map<string, OnnxTensor>();
  for (const t of arr(graph['initializer'])) {
    const tensor = decodeTensor(t as Obj, file);
    initializers.set(tensor.name, tensor);
  }
  const nodes = nodesRaw.map((n, index): OnnxNode => {
    const node = n as Obj;
    const attributes: Record<string, OnnxAttribute> = {};
    for (const a of arr(node['attribute'])) attributes[str((a as Obj)['name'])] = decodeAttribute(a as Obj, `${file}, node ${index}`);
    return {
      index,
      name: str(node['name']),
      opType: str(node['op_type']),
      domain: str(node['domain']) === 'ai.onnx' ? '' : str(node['domain']),
      inputs: arr(node['input']).map(str),
      outputs: arr(node['output']).map(str),
      attributes,
    };
  });
  const metadata: Record<string, string> = {};
  for (const p of arr(model['metadata_props'])) metadata[str((p as Obj)['key'])] = str((p as Obj)['value']);
  return {
    irVersion: num(model['ir_version']),
    opset: defaultOpset ? num(defaultOpset['version']) : 1,
    producer: `${str(model['producer_name'])} ${str(model['producer_version'])}`.trim(),
    nodes,
    initializers,
    // Older exporters list every initializer as a graph input too.
    inputs: arr(graph['input']).map((v) => valueInfo(v as Obj)).filter((v) => !initializers.has(v.name)),
    outputs: arr(graph['output']).map((v) => valueInfo(v as Obj)),
    valueInfo: new Map(arr(graph['value_info']).map((v) => valueInfo(v as Obj)).map((v) => [v.name, v])),
    metadata,
  };
}

/**
 * The same model with `names` (intermediate values) added as graph outputs, so ONNX Runtime
 * returns them too. Float outputs of unknown shape: ONNX Runtime infers the rest.
 */
export function withExtraOutputs(bytes: Uint8Array, names: string[]): Uint8Array {
  const type = modelType();
  const model = type.decode(bytes) as unknown as { graph: { output: Obj[] } };
  const have = new Set(model.graph.output.map((o) => o['name'] as string));
  const ValueInfo = onnxSchema().lookupType('onnx.ValueInfoProto');
  for (const name of names) {
    if (have.has(name)) continue;
    model.graph.output.push(ValueInfo.fromObject({ name, type: { tensor_type: { elem_type: OnnxType.FLOAT } } }) as unknown as Obj);
    have.add(name);
  }
  return type.encode(model as unknown as protobuf.Message).finish();
}
