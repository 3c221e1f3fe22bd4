// The ONNX messages an exported model needs (ModelProto and what it holds), encoded by protobufjs
// with the vendored onnx.proto that the importer reads with (engine/import/onnx-schema.ts).
import type * as protobuf from 'protobufjs';
import { onnxSchema } from '../import/onnx-schema';

export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

export type AttributeValue = { f: number } | { i: number } | { s: string } | { floats: number[] } | { ints: number[] };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: (typeof DataType)[keyof typeof DataType];
  /** Little-endian raw bytes. */
  raw: Uint8Array;
}

export interface OnnxValueInfo {
  name: string;
  elemType: number;
  /** A number, or a symbolic name (e.g. 'batch') for an unknown dimension. */
  shape: (number | string)[];
}

export interface OnnxModel {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: {
    name: string;
    nodes: OnnxNode[];
    initializers: OnnxTensor[];
    inputs: OnnxValueInfo[];
    outputs: OnnxValueInfo[];
  };
  metadata?: Record<string, string>;
}

const ATTR_TYPE = { f: 1, i: 2, s: 3, floats: 6, ints: 7 } as const;

function attribute(name: string, a: AttributeValue): Record<string, unknown> {
  if ('f' in a) return { name, f: a.f, type: ATTR_TYPE.f };
  if ('i' in a) return { name, i: a.i, type: ATTR_TYPE.i };
  if ('s' in a) return { name, s: new TextEncoder().encode(a.s), type: ATTR_TYPE.s };
  if ('floats' in a) return { name, floats: a.floats, type: ATTR_TYPE.floats };
  return { name, ints: a.ints, type: ATTR_TYPE.ints };
}

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name: v.name, type: { tensor_type: { elem_type: v.elemType, shape: { dim } } } };
}

export function encodeModel(model: OnnxModel): Uint8Array {
  const g = model.graph;
  const message = {
    ir_version: model.irVersion,
    producer_name: model.producerName,
    producer_version: model.producerVersion,
    ...(model.docString ? { doc_string: model.docString } : {}),
    graph: {
      node: g.nodes.map((n) => ({
        input: n.inputs, output: n.outputs, name: n.name, op_type: n.opType,
        attribute: Object.entries(n.attributes ?? {}).map(([k, a]) => attribute(k, a)),
      })),
      name: g.name,
      initializer: g.initializers.map((t) => ({ dims: t.dims, data_type: t.dataType, name: t.name, raw_data: t.raw })),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
    opset_import: [{ domain: '', version: model.opset }],
    metadata_props: Object.entries(model.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  const type = onnxSchema().lookupType('onnx.ModelProto');
  return type.encode(type.fromObject(message) as protobuf.Message).finish();
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTensor {
  const f = Float32Array.from(values);
  return { name, dims, dataType: DataType.FLOAT, raw: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) };
}

export function int64Tensor(name: string, dims: number[], values: number[]): OnnxTensor {
  const b = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims, dataType: DataType.INT64, raw: new Uint8Array(b.buffer) };
}
