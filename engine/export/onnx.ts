// TF.js layers model → ONNX (opset 13). Tensors stay in TF.js's NHWC layout between layers, so
// Flatten, Reshape, Concatenate and softmax axes mean what they mean in TF.js; convolutions and
// pooling are wrapped in Transposes to NCHW and back, and back-to-back Transposes that cancel are
// removed afterwards (conv → relu → pool stays in NCHW).
import type * as tfl from '@tensorflow/tfjs-layers';
import { graphFromTopology, type GraphLayer } from '../../common/model/graph';
import type { ModelTopology } from '../../common/model/keras-format';
import { encodeModel, floatTensor, int64Tensor, DataType, type AttributeValue, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto';
import { BadInputError } from '../../common/bad-input';

export class ExportError extends BadInputError {}

export const ONNX_OPSET = 13;
const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

type Shape = (number | null)[];

interface Ctx {
  nodes: OnnxNode[];
  inits: OnnxTensor[];
  names: Set<string>;
}

function unique(ctx: Ctx, base: string): string {
  let name = base;
  for (let i = 1; ctx.names.has(name); i++) name = `${base}_${i}`;
  ctx.names.add(name);
  return name;
}

function node(ctx: Ctx, opType: string, inputs: string[], hint: string, attributes?: Record<string, AttributeValue>): string {
  const out = unique(ctx, hint);
  ctx.nodes.push({ opType, inputs, outputs: [out], name: unique(ctx, `${hint}/${opType}`), ...(attributes ? { attributes } : {}) });
  return out;
}

function constFloat(ctx: Ctx, hint: string, dims: number[], values: ArrayLike<number>): string {
  const name = unique(ctx, hint);
  ctx.inits.push(floatTensor(name, dims, values));
  return name;
}

function constInt64(ctx: Ctx, hint: string, values: number[]): string {
  const name = unique(ctx, hint);
  ctx.inits.push(int64Tensor(name, [values.length], values));
  return name;
}

function pairOf(v: unknown, fallback: [number, number]): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length >= 2) return [Number(v[0]), Number(v[1])];
  if (Array.isArray(v) && v.length === 1) return [Number(v[0]), Number(v[0])];
  return fallback;
}

function singleOf(v: unknown, fallback: number): number {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length >= 1) return Number(v[0]);
  return fallback;
}

/** TF's 'same' padding: the extra pixel goes at the end. Returns [begin, end]. */
function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Applies a Keras activation by name; returns the new tensor name. */
function activation(ctx: Ctx, x: string, name: string, hint: string): string {
  switch (name) {
    case undefined:
    case null:
    case '':
    case 'linear':
      return x;
    case 'relu':
      return node(ctx, 'Relu', [x], hint);
    case 'sigmoid':
      return node(ctx, 'Sigmoid', [x], hint);
    case 'tanh':
      return node(ctx, 'Tanh', [x], hint);
    case 'softmax':
      return node(ctx, 'Softmax', [x], hint, { axis: { i: -1 } });
    case 'logsoftmax':
    case 'log_softmax':
      return node(ctx, 'LogSoftmax', [x], hint, { axis: { i: -1 } });
    case 'elu':
      return node(ctx, 'Elu', [x], hint, { alpha: { f: 1 } });
    case 'selu':
      return node(ctx, 'Selu', [x], hint, { alpha: { f: 1.6732632423543772 }, gamma: { f: 1.0507009873554805 } });
    case 'softplus':
      return node(ctx, 'Softplus', [x], hint);
    case 'softsign':
      return node(ctx, 'Softsign', [x], hint);
    case 'hard_sigmoid':
    case 'hardSigmoid':
      return node(ctx, 'HardSigmoid', [x], hint, { alpha: { f: 0.2 }, beta: { f: 0.5 } });
    case 'relu6':
      return node(ctx, 'Clip', [x, constFloat(ctx, `${hint}/min`, [], [0]), constFloat(ctx, `${hint}/max`, [], [6])], hint);
    case 'swish':
      return node(ctx, 'Mul', [x, node(ctx, 'Sigmoid', [x], `${hint}/sigmoid`)], hint);
    case 'mish': {
      const sp = node(ctx, 'Softplus', [x], `${hint}/softplus`);
      return node(ctx, 'Mul', [x, node(ctx, 'Tanh', [sp], `${hint}/tanh`)], hint);
    }
    case 'gelu': {
      // 0.5 · x · (1 + erf(x / √2)), as TF.js computes it.
      const scaled = node(ctx, 'Mul', [x, constFloat(ctx, `${hint}/inv_sqrt2`, [], [Math.SQRT1_2])], `${hint}/scaled`);
      const erf = node(ctx, 'Erf', [scaled], `${hint}/erf`);
      const onePlus = node(ctx, 'Add', [erf, constFloat(ctx, `${hint}/one`, [], [1])], `${hint}/one_plus`);
      const half = node(ctx, 'Mul', [x, constFloat(ctx, `${hint}/half`, [], [0.5])], `${hint}/half_x`);
      return node(ctx, 'Mul', [half, onePlus], hint);
    }
    case 'gelu_new': {
      // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³)))
      const cube = node(ctx, 'Mul', [x, node(ctx, 'Mul', [x, x], `${hint}/sq`)], `${hint}/cube`);
      const inner = node(ctx, 'Add', [x, node(ctx, 'Mul', [cube, constFloat(ctx, `${hint}/c`, [], [0.044715])], `${hint}/c_cube`)], `${hint}/inner`);
      const t = node(ctx, 'Tanh', [node(ctx, 'Mul', [inner, constFloat(ctx, `${hint}/k`, [], [Math.sqrt(2 / Math.PI)])], `${hint}/k_inner`)], `${hint}/tanh`);
      const onePlus = node(ctx, 'Add', [t, constFloat(ctx, `${hint}/one`, [], [1])], `${hint}/one_plus`);
      return node(ctx, 'Mul', [node(ctx, 'Mul', [x, constFloat(ctx, `${hint}/half`, [], [0.5])], `${hint}/half_x`), onePlus], hint);
    }
    default:
      throw new ExportError(`ONNX export does not support the "${name}" activation.`);
  }
}

const ELEMENTWISE = new Set(['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'softsign', 'hard_sigmoid', 'relu6', 'swish', 'mish', 'gelu', 'gelu_new']);

function weightsOf(model: tfl.LayersModel, layerName: string): Map<string, { shape: number[]; values: Float32Array }> {
  const layer = model.getLayer(layerName);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  layer.weights.forEach((w) => {
    const short = w.originalName.split('/').pop()!.replace(/_\d+$/, '');
    const t = w.read();
    out.set(short, { shape: t.shape, values: t.dataSync() as Float32Array });
  });
  return out;
}

/** Transposes a row-major tensor of `shape` by `perm`. */
function transpose(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(values.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < perm.length; d++) src += idx[d]! * strides[perm[d]!]!;
    out[o] = values[src]!;
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

function requireChannelsLast(layer: GraphLayer): void {
  const f = layer.config['data_format'];
  if (f !== undefined && f !== null && f !== 'channels_last') throw new ExportError(`Layer "${layer.name}": ONNX export supports channels_last data only.`);
}

function requireKnown(shape: Shape, layer: string): number[] {
  if (shape.slice(1).some((d) => d === null)) throw new ExportError(`Layer "${layer}" has an input of unknown size; ONNX export needs fixed input shapes.`);
  return shape.slice(1) as number[];
}

interface ConvertOptions {
  /** Graph input/output names for single-input, single-output models (default input / output). */
  inputName?: string;
  outputName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** Builds the ONNX graph of a TF.js layers model. */
export function toOnnxModel(model: tfl.LayersModel, options: ConvertOptions = {}): OnnxModel {
  const topology = model.toJSON(null, false) as unknown as ModelTopology;
  const graph = graphFromTopology(topology);
  const ctx: Ctx = { nodes: [], inits: [], names: new Set() };
  const tensorOf = new Map<string, string>();
  const inputShapes = new Map<string, Shape>();
  const shapeOf = (layerName: string): Shape => {
    const known = inputShapes.get(layerName);
    if (known) return known;
    const s = model.getLayer(layerName).outputShape;
    return (Array.isArray(s[0]) ? s[0] : s) as Shape;
  };
  const inputs: OnnxModel['graph']['inputs'] = [];
  const inputLayers = graph.layers.filter((l) => l.className === 'InputLayer');
  const single = inputLayers.length === 1 && graph.outputs.length === 1;

  for (const layer of graph.layers) {
    const cfg = layer.config;
    const hint = layer.name;
    const ins = layer.inbound.map((n) => {
      const t = tensorOf.get(n);
      if (!t) throw new ExportError(`Layer "${layer.name}" reads "${n}", which comes later in the model.`);
      return t;
    });
    const inShapes = layer.inbound.map(shapeOf);
    const x = ins[0]!;
    const xShape = inShapes[0]!;
    let out: string;
    switch (layer.className) {
      case 'InputLayer': {
        const name = single ? (options.inputName ?? 'input') : layer.name;
        ctx.names.add(name);
        const shape = (cfg['batch_input_shape'] as Shape | undefined) ?? shapeOf(layer.name);
        inputShapes.set(layer.name, shape);
        inputs.push({ name, elemType: DataType.FLOAT, shape: shape.map((d, i) => (d === null ? (i === 0 ? 'batch' : `d${i}`) : d)) });
        out = name;
        break;
      }
      case 'Dense': {
        const w = weightsOf(model, layer.name);
        const kernel = w.get('kernel')!;
        let y = node(ctx, 'MatMul', [x, constFloat(ctx, `${hint}/kernel`, kernel.shape, kernel.values)], `${hint}/matmul`);
        const bias = w.get('bias');
        if (bias && cfg['use_bias'] !== false) y = node(ctx, 'Add', [y, constFloat(ctx, `${hint}/bias`, bias.shape, bias.values)], `${hint}/bias_add`);
        out = activation(ctx, y, String(cfg['activation'] ?? 'linear'), `${hint}/${cfg['activation'] ?? 'linear'}`);
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'Conv1D': {
        requireChannelsLast(layer);
        const two = layer.className !== 'Conv1D';
        const depthwise = layer.className === 'DepthwiseConv2D';
        const w = weightsOf(model, layer.name);
        const kernel = w.get(depthwise ? 'depthwise_kernel' : 'kernel')!;
        const spatial = requireKnown(xShape, layer.name).slice(0, two ? 2 : 1);
        const k = two ? pairOf(cfg['kernel_size'], [3, 3]) : [singleOf(cfg['kernel_size'], 3)];
        const s = two ? pairOf(cfg['strides'], [1, 1]) : [singleOf(cfg['strides'], 1)];
        const d = two ? pairOf(cfg['dilation_rate'], [1, 1]) : [singleOf(cfg['dilation_rate'], 1)];
        const padding = String(cfg['padding'] ?? 'valid');
        if (padding === 'causal') throw new ExportError(`Layer "${layer.name}": causal padding is not supported by ONNX export.`);
        const pads = padding === 'same' ? spatial.map((n, i) => samePads(n, k[i]!, s[i]!, d[i]!)) : spatial.map(() => [0, 0] as [number, number]);
        // TF kernel [kh, kw, in, out] → ONNX [out, in, kh, kw]; Conv1D [k, in, out] → [out, in, k].
        // Depthwise [kh, kw, C, M] → [C, M, kh, kw], which is ONNX's [C·M, 1, kh, kw] with group C.
        const perm = depthwise ? [2, 3, 0, 1] : two ? [3, 2, 0, 1] : [2, 1, 0];
        const onnxKernel = transpose(kernel.values, kernel.shape, perm);
        const kernelDims = depthwise ? [kernel.shape[2]! * kernel.shape[3]!, 1, kernel.shape[0]!, kernel.shape[1]!] : perm.map((p) => kernel.shape[p]!);
        const convInputs = [node(ctx, 'Transpose', [x], `${hint}/to_nchw`, { perm: { ints: two ? TO_NCHW : [0, 2, 1] } }), constFloat(ctx, `${hint}/kernel`, kernelDims, onnxKernel)];
        const bias = w.get('bias');
        if (bias && cfg['use_bias'] !== false) convInputs.push(constFloat(ctx, `${hint}/bias`, bias.shape, bias.values));
        let y = node(ctx, 'Conv', convInputs, `${hint}/conv`, {
          kernel_shape: { ints: k },
          strides: { ints: s },
          dilations: { ints: d },
          pads: { ints: [...pads.map((p) => p[0]), ...pads.map((p) => p[1])] },
          group: { i: depthwise ? kernel.shape[2]! : 1 },
        });
        const act = String(cfg['activation'] ?? 'linear');
        if (ELEMENTWISE.has(act)) y = activation(ctx, y, act, `${hint}/${act}`);
        out = node(ctx, 'Transpose', [y], `${hint}/to_nhwc`, { perm: { ints: two ? TO_NHWC : [0, 2, 1] } });
        if (!ELEMENTWISE.has(act)) out = activation(ctx, out, act, `${hint}/${act}`);
        break;
      }
      case 'SeparableConv2D': {
        // Depthwise Conv (group C) then a 1×1 Conv, as Keras computes it.
        requireChannelsLast(layer);
        const w = weightsOf(model, layer.name);
        const dk = w.get('depthwise_kernel')!;
        const pk = w.get('pointwise_kernel')!;
        const spatial = requireKnown(xShape, layer.name).slice(0, 2);
        const k = pairOf(cfg['kernel_size'], [3, 3]);
        const s = pairOf(cfg['strides'], [1, 1]);
        const d = pairOf(cfg['dilation_rate'], [1, 1]);
        const pads = String(cfg['padding'] ?? 'valid') === 'same' ? spatial.map((n, i) => samePads(n, k[i]!, s[i]!, d[i]!)) : [[0, 0], [0, 0]];
        const [c, m] = [dk.shape[2]!, dk.shape[3]!];
        const t = node(ctx, 'Transpose', [x], `${hint}/to_nchw`, { perm: { ints: TO_NCHW } });
        const depth = node(ctx, 'Conv', [t, constFloat(ctx, `${hint}/depthwise_kernel`, [c * m, 1, k[0], k[1]], transpose(dk.values, dk.shape, [2, 3, 0, 1]))], `${hint}/depthwise`, {
          kernel_shape: { ints: k }, strides: { ints: s }, dilations: { ints: d }, pads: { ints: [pads[0]![0], pads[1]![0], pads[0]![1], pads[1]![1]] }, group: { i: c },
        });
        const pointInputs = [depth, constFloat(ctx, `${hint}/pointwise_kernel`, [pk.shape[3]!, pk.shape[2]!, 1, 1], transpose(pk.values, pk.shape, [3, 2, 0, 1]))];
        const bias = w.get('bias');
        if (bias && cfg['use_bias'] !== false) pointInputs.push(constFloat(ctx, `${hint}/bias`, bias.shape, bias.values));
        const y = node(ctx, 'Conv', pointInputs, `${hint}/pointwise`, { kernel_shape: { ints: [1, 1] } });
        out = activation(ctx, node(ctx, 'Transpose', [y], `${hint}/to_nhwc`, { perm: { ints: TO_NHWC } }), String(cfg['activation'] ?? 'linear'), `${hint}/${cfg['activation'] ?? 'linear'}`);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D':
      case 'MaxPooling1D':
      case 'AveragePooling1D': {
        requireChannelsLast(layer);
        const two = layer.className.endsWith('2D');
        const spatial = requireKnown(xShape, layer.name).slice(0, two ? 2 : 1);
        const k = two ? pairOf(cfg['pool_size'], [2, 2]) : [singleOf(cfg['pool_size'], 2)];
        const s = cfg['strides'] == null ? k : two ? pairOf(cfg['strides'], k as [number, number]) : [singleOf(cfg['strides'], k[0]!)];
        const padding = String(cfg['padding'] ?? 'valid');
        const pads = padding === 'same' ? spatial.map((n, i) => samePads(n, k[i]!, s[i]!, 1)) : spatial.map(() => [0, 0] as [number, number]);
        const t = node(ctx, 'Transpose', [x], `${hint}/to_nchw`, { perm: { ints: two ? TO_NCHW : [0, 2, 1] } });
        const attrs: Record<string, AttributeValue> = { kernel_shape: { ints: k }, strides: { ints: s }, pads: { ints: [...pads.map((p) => p[0]), ...pads.map((p) => p[1])] } };
        const isMax = layer.className.startsWith('Max');
        if (!isMax) attrs['count_include_pad'] = { i: 0 };
        const y = node(ctx, isMax ? 'MaxPool' : 'AveragePool', [t], `${hint}/pool`, attrs);
        out = node(ctx, 'Transpose', [y], `${hint}/to_nhwc`, { perm: { ints: two ? TO_NHWC : [0, 2, 1] } });
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
      case 'GlobalAveragePooling1D':
      case 'GlobalMaxPooling1D': {
        requireChannelsLast(layer);
        const axes = layer.className.endsWith('2D') ? [1, 2] : [1];
        out = node(ctx, layer.className.startsWith('GlobalAverage') ? 'ReduceMean' : 'ReduceMax', [x], hint, { axes: { ints: axes }, keepdims: { i: 0 } });
        break;
      }
      case 'Flatten':
        // TF.js flattens NHWC row-major; so does ONNX Flatten on the NHWC tensor.
        out = node(ctx, 'Flatten', [x], hint, { axis: { i: 1 } });
        break;
      case 'Reshape': {
        const target = (cfg['target_shape'] as number[]).map(Number);
        out = node(ctx, 'Reshape', [x, constInt64(ctx, `${hint}/shape`, [0, ...target])], hint);
        break;
      }
      case 'Dropout':
      case 'SpatialDropout1D':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
      case 'AlphaDropout':
        // Identity at inference time.
        out = x;
        break;
      case 'Activation':
        out = activation(ctx, x, String(cfg['activation'] ?? 'linear'), hint);
        break;
      case 'ReLU':
        // ReLU(max_value): Clip(0, max).
        out = cfg['max_value'] == null ? node(ctx, 'Relu', [x], hint) : node(ctx, 'Clip', [x, constFloat(ctx, `${hint}/min`, [], [0]), constFloat(ctx, `${hint}/max`, [], [Number(cfg['max_value'])])], hint);
        break;
      case 'LeakyReLU':
        out = node(ctx, 'LeakyRelu', [x], hint, { alpha: { f: Number(cfg['alpha'] ?? 0.3) } });
        break;
      case 'Rescaling': {
        const y = node(ctx, 'Mul', [x, constFloat(ctx, `${hint}/scale`, [], [Number(cfg['scale'])])], `${hint}/scaled`);
        out = node(ctx, 'Add', [y, constFloat(ctx, `${hint}/offset`, [], [Number(cfg['offset'] ?? 0)])], hint);
        break;
      }
      case 'ZeroPadding2D': {
        requireChannelsLast(layer);
        const p = cfg['padding'];
        const [[t, b], [l, r]] = typeof p === 'number' ? [[p, p], [p, p]] : Array.isArray(p) && typeof p[0] === 'number' ? [[p[0], p[0]], [p[1], p[1]]] : (p as [[number, number], [number, number]]);
        // NHWC: pads [n, h, w, c begin, n, h, w, c end].
        out = node(ctx, 'Pad', [x, constInt64(ctx, `${hint}/pads`, [0, t, l, 0, 0, b, r, 0])], hint, { mode: { s: 'constant' } });
        break;
      }
      case 'Permute':
        out = node(ctx, 'Transpose', [x], hint, { perm: { ints: [0, ...(cfg['dims'] as number[]).map(Number)] } });
        break;
      case 'Softmax':
        out = node(ctx, 'Softmax', [x], hint, { axis: { i: Number(cfg['axis'] ?? -1) } });
        break;
      case 'BatchNormalization': {
        const axis = Number(Array.isArray(cfg['axis']) ? (cfg['axis'] as number[])[0] : (cfg['axis'] ?? -1));
        if (axis !== -1 && axis !== xShape.length - 1) throw new ExportError(`Layer "${layer.name}": ONNX export supports BatchNormalization over the last axis only.`);
        const w = weightsOf(model, layer.name);
        const mean = w.get('moving_mean')!.values;
        const variance = w.get('moving_variance')!.values;
        const gamma = w.get('gamma')?.values;
        const beta = w.get('beta')?.values;
        const eps = Number(cfg['epsilon'] ?? 1e-3);
        const c = mean.length;
        // y = (x − mean) / √(var + ε) · γ + β, folded into one scale and one shift per channel.
        const scale = new Float32Array(c);
        const shift = new Float32Array(c);
        for (let i = 0; i < c; i++) {
          scale[i] = (gamma ? gamma[i]! : 1) / Math.sqrt(variance[i]! + eps);
          shift[i] = (beta ? beta[i]! : 0) - mean[i]! * scale[i]!;
        }
        const y = node(ctx, 'Mul', [x, constFloat(ctx, `${hint}/scale`, [c], scale)], `${hint}/scaled`);
        out = node(ctx, 'Add', [y, constFloat(ctx, `${hint}/shift`, [c], shift)], hint);
        break;
      }
      case 'Add':
        out = ins.length === 2 ? node(ctx, 'Add', ins, hint) : node(ctx, 'Sum', ins, hint);
        break;
      case 'Multiply':
        out = ins.slice(1).reduce((acc, t, i) => node(ctx, 'Mul', [acc, t], i === ins.length - 2 ? hint : `${hint}/mul`), ins[0]!);
        break;
      case 'Average':
        out = node(ctx, 'Mean', ins, hint);
        break;
      case 'Maximum':
        out = node(ctx, 'Max', ins, hint);
        break;
      case 'Concatenate':
        out = node(ctx, 'Concat', ins, hint, { axis: { i: Number(cfg['axis'] ?? -1) } });
        break;
      default:
        throw new ExportError(`ONNX export does not support ${layer.className} layers (layer "${layer.name}").`);
    }
    tensorOf.set(layer.name, out);
  }

  const outputs: OnnxModel['graph']['outputs'] = graph.outputs.map((name) => {
    const outName = single ? (options.outputName ?? 'output') : `${name}_output`;
    ctx.names.add(outName);
    ctx.nodes.push({ opType: 'Identity', inputs: [tensorOf.get(name)!], outputs: [outName], name: `${outName}/Identity` });
    const shape = shapeOf(name);
    return { name: outName, elemType: DataType.FLOAT, shape: shape.map((d, i) => (d === null ? (i === 0 ? 'batch' : `d${i}`) : d)) };
  });
  return {
    irVersion: 7,
    opset: ONNX_OPSET,
    producerName: 'Glasswing',
    producerVersion: options.producerVersion ?? '0.1.0',
    ...(options.docString ? { docString: options.docString } : {}),
    graph: { name: graph.name, nodes: removeCancellingTransposes(ctx.nodes), initializers: ctx.inits, inputs, outputs },
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
}

/** Drops Transpose(p) → Transpose(q) pairs whose composition is the identity. */
function removeCancellingTransposes(nodes: OnnxNode[]): OnnxNode[] {
  const consumers = (t: string) => nodes.filter((n) => n.inputs.includes(t));
  let changed = true;
  let list = nodes;
  while (changed) {
    changed = false;
    for (const b of list) {
      if (b.opType !== 'Transpose') continue;
      const a = list.find((n) => n.outputs[0] === b.inputs[0]);
      if (!a || a.opType !== 'Transpose') continue;
      const p = (a.attributes!['perm'] as { ints: number[] }).ints;
      const q = (b.attributes!['perm'] as { ints: number[] }).ints;
      if (!q.every((qi, i) => p[qi] === i)) continue;
      const bOut = b.outputs[0]!;
      const source = a.inputs[0]!;
      for (const n of list) n.inputs = n.inputs.map((i) => (i === bOut ? source : i));
      list = list.filter((n) => n !== b);
      if (consumers(a.outputs[0]!).length === 0) list = list.filter((n) => n !== a);
      changed = true;
      break;
    }
  }
  return list;
}

export function exportOnnxBytes(model: tfl.LayersModel, options: ConvertOptions = {}): Uint8Array {
  return encodeModel(toOnnxModel(model, options));
}
