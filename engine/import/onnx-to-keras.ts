// ONNX graph → Keras functional topology + weights, channels-last.
//
// PyTorch exports NCHW; TF.js layers compute NHWC. The model input becomes NHWC once, at the
// boundary, and every value then carries a *layout* that says how its stored order relates to the
// ONNX (logical) order, so no Transpose is needed between layers:
//   nhwc      logical [N, C, H, W], stored [N, H, W, C] (every image tensor)
//   plain     stored as logical (features [N, F], or any tensor after an explicit permute)
//   hwc-flat  logical [N, C·H·W] (a Flatten of an image), stored in H, W, C order; the Dense
//             (Gemm/MatMul) that reads it gets its kernel rows permuted instead
//   c11       logical [N, C, 1, 1] (after GlobalAveragePool), stored [N, C]
// Weights are transposed to Keras's layouts (Conv OIHW → HWIO; depthwise → [kh, kw, C, mult]).
// Nodes whose inputs are all constants are folded (onnx-fold.ts). An op without a translation is
// recorded with its position and name; the conversion then returns no topology, only the list.
import type { FunctionalTopology } from '../../common/model/keras-format';
import type { OnnxGraph, OnnxNode } from './onnx-reader';
import { constFromTensor, constOf, FoldError, foldNode, transposeConst, type ConstValue } from './onnx-fold';
import { KerasGraphBuilder, cleanName, type KerasWeight } from './keras-builder';
import { autoPads, choosePadding, type SpatialPadding } from './onnx-padding';
import { ModelImportError, type UnsupportedItem } from './errors';

type Layout = 'nhwc' | 'plain' | 'hwc-flat' | 'c11';
type Dim = number | null;

interface TensorValue {
  kind: 'tensor';
  /** The Keras layer whose output holds the value. */
  ref: string;
  /** The ONNX (logical) shape; the batch is null. */
  shape: Dim[];
  layout: Layout;
  /** Known to be ≥ 0 (after ReLU, sigmoid, …): zero padding then equals −∞ padding for max pooling. */
  nonNegative?: boolean;
  /** A Dense made from a MatMul whose bias the next Add may fill in. */
  pendingBias?: boolean;
}

type Value = TensorValue | ConstValue;

/** A node the converter cannot translate: the reason ends up in the message. */
class ConvertError extends Error {}

export interface OnnxConversionOptions {
  /** NCHW input shape without the batch ([C, H, W]) when the file leaves height/width open. */
  inputShape?: number[];
  /** Add a softmax after a classifier's logits (PyTorch models end at the logits). Default true. */
  appendSoftmax?: boolean;
}

export interface OnnxConversion {
  /** null when some node is not supported. */
  topology: FunctionalTopology | null;
  weights: Map<string, KerasWeight[]>;
  unsupported: UnsupportedItem[];
  /** ONNX value name → the Keras layer that computes it (stored NHWC for image tensors). */
  layerOf: Record<string, string>;
  inputName: string;
  /** ONNX input shape without the batch (NCHW for images, unless channelsLastInput). */
  onnxInputShape: number[];
  /**
   * The file takes images channels-last ([N, H, W, C]) and transposes them to NCHW itself, as
   * tf2onnx's conversions of Keras models and Glasswing's own ONNX exports do.
   */
  channelsLastInput: boolean;
  /** The Keras model's input shape without the batch (NHWC for images). */
  inputShape: number[];
  /** Per graph output: the Keras layer, and whether it is stored NHWC (4-D outputs). */
  outputs: { name: string; layer: string; nhwc: boolean }[];
  /** Set when a softmax was appended: the layer with the logits. */
  logitsLayer: string | null;
  notes: string[];
}

const product = (xs: Dim[]): number => xs.reduce<number>((a, b) => a * (b ?? NaN), 1);

function ints(node: OnnxNode, key: string, fallback: number[]): number[] {
  const v = node.attributes[key];
  return Array.isArray(v) ? (v as number[]) : fallback;
}
function int(node: OnnxNode, key: string, fallback: number): number {
  const v = node.attributes[key];
  return typeof v === 'number' ? v : fallback;
}
function float(node: OnnxNode, key: string, fallback: number): number {
  return int(node, key, fallback);
}
function text(node: OnnxNode, key: string, fallback: string): string {
  const v = node.attributes[key];
  return typeof v === 'string' ? v : fallback;
}

const f32 = (c: ConstValue): Float32Array => Float32Array.from(c.data);

/**
 * A readable Keras name from a torch node name: "/layer1/layer1.0/conv1/Conv" → "layer1.0.conv1"
 * (torch scopes repeat the parent's qualified name), "/Relu_1" → the op's own name.
 */
export function nameFromNode(node: OnnxNode, fallback: string): string {
  const segments = node.name.split('/').filter(Boolean);
  const last = segments[segments.length - 1];
  if (last && (last === node.opType || last.startsWith(`${node.opType}_`) || /^[A-Z][A-Za-z]*(_\d+)?$/.test(last))) segments.pop();
  const parts: string[] = [];
  for (const s of segments) {
    if (parts.length && s.startsWith(`${parts.join('.')}.`)) parts.splice(0, parts.length, s);
    else parts.push(s);
  }
  return parts.length ? cleanName(parts.join('.')) : fallback;
}

class Converter {
  private readonly b: KerasGraphBuilder;
  private readonly values = new Map<string, Value>();
  private readonly failed = new Set<string>();
  private readonly uses = new Map<string, number>();
  readonly unsupported: UnsupportedItem[] = [];
  readonly notes: string[] = [];
  private exportBatch: number | null = null;
  private node!: OnnxNode;

  constructor(private readonly g: OnnxGraph, private readonly file: string) {
    this.b = new KerasGraphBuilder(cleanName(file.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, '')) || 'imported');
    for (const n of g.nodes) for (const i of n.inputs) if (i) this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
    for (const o of g.outputs) this.uses.set(o.name, (this.uses.get(o.name) ?? 0) + 1);
  }

  // ---- values ----------------------------------------------------------------------------

  private tensor(v: Value | null | undefined, what = 'input'): TensorValue {
    if (!v) throw new ConvertError(`its ${what} is missing`);
    if (v.kind !== 'tensor') throw new ConvertError(`its ${what} is a constant where a tensor was expected`);
    return v;
  }

  private constant(v: Value | null | undefined, what: string): ConstValue {
    if (!v) throw new ConvertError(`its ${what} is missing`);
    if (v.kind !== 'const') throw new ConvertError(`its ${what} is computed at run time; Glasswing needs it to be a constant (an initializer)`);
    return v;
  }

  private hint(fallback: string): string {
    return nameFromNode(this.node, fallback);
  }

  private layer(className: string, hint: string, config: Record<string, unknown>, inputs: TensorValue[], weights: KerasWeight[] = []): string {
    return this.b.add(className, hint, config, inputs.map((i) => i.ref), weights);
  }

  private out(ref: string, shape: Dim[], layout: Layout, extra: Partial<TensorValue> = {}): TensorValue {
    return { kind: 'tensor', ref, shape, layout, ...extra };
  }

  // ---- layout changes ----------------------------------------------------------------------

  /** The value as an NHWC image tensor. */
  private nhwc(v: TensorValue): TensorValue {
    if (v.layout === 'nhwc') return v;
    if (v.layout === 'c11') {
      const c = v.shape[1]!;
      return this.out(this.layer('Reshape', `${v.ref}_hw`, { target_shape: [1, 1, c] }, [v]), v.shape, 'nhwc', { nonNegative: v.nonNegative });
    }
    if (v.layout === 'plain' && v.shape.length === 4) {
      return this.out(this.layer('Permute', `${v.ref}_nhwc`, { dims: [2, 3, 1] }, [v]), v.shape, 'nhwc', { nonNegative: v.nonNegative });
    }
    throw new ConvertError(`it needs an image tensor (batch, channels, height, width); its input has shape [${v.shape.map((d) => d ?? 'N').join(', ')}]`);
  }

  /** The value stored in ONNX's own order (Permute layers where needed). */
  private logical(v: TensorValue): TensorValue {
    const nn = v.nonNegative;
    switch (v.layout) {
      case 'plain':
        return v;
      case 'nhwc':
        return this.out(this.layer('Permute', `${v.ref}_nchw`, { dims: [3, 1, 2] }, [v]), v.shape, 'plain', { nonNegative: nn });
      case 'c11':
        return this.out(this.layer('Reshape', `${v.ref}_c11`, { target_shape: [v.shape[1], 1, 1] }, [v]), v.shape, 'plain', { nonNegative: nn });
      case 'hwc-flat': {
        const [c, h, w] = this.chw(v);
        const img = this.out(this.layer('Reshape', `${v.ref}_hwc`, { target_shape: [h, w, c] }, [v]), [null, c, h, w], 'nhwc');
        const perm = this.out(this.layer('Permute', `${v.ref}_chw`, { dims: [3, 1, 2] }, [img]), [null, c, h, w], 'plain');
        return this.out(this.layer('Flatten', `${v.ref}_flat`, {}, [perm]), v.shape, 'plain', { nonNegative: nn });
      }
    }
  }

  private readonly flatOrigin = new Map<string, [number, number, number]>();
  private chw(v: TensorValue): [number, number, number] {
    const chw = this.flatOrigin.get(v.ref);
    if (!chw) throw new Error(`internal: no C×H×W for ${v.ref}`);
    return chw;
  }

  private flatten(x: TensorValue): TensorValue {
    const features = product(x.shape.slice(1));
    const nn = x.nonNegative;
    if (x.layout === 'c11' || x.layout === 'hwc-flat' || (x.layout === 'plain' && x.shape.length === 2)) return { ...x, shape: [null, features], layout: x.layout === 'c11' ? 'plain' : x.layout };
    if (x.layout === 'nhwc') {
      const [, c, h, w] = x.shape as number[];
      const ref = this.layer('Flatten', this.hint('flatten'), {}, [x]);
      if (h === 1 && w === 1) return this.out(ref, [null, features], 'plain', { nonNegative: nn });
      this.flatOrigin.set(ref, [c!, h!, w!]);
      return this.out(ref, [null, features], 'hwc-flat', { nonNegative: nn });
    }
    return this.out(this.layer('Flatten', this.hint('flatten'), {}, [x]), [null, features], 'plain', { nonNegative: nn });
  }

  // ---- the walk ------------------------------------------------------------------------------

  convert(options: OnnxConversionOptions): OnnxConversion {
    const g = this.g;
    if (g.inputs.length !== 1) throw new ModelImportError(`${this.file} has ${g.inputs.length} inputs (${g.inputs.map((i) => i.name).join(', ')}); Glasswing imports models with one input.`);
    const input = g.inputs[0]!;
    const shape = input.shape;
    if (!shape || shape.length < 2) throw new ModelImportError(`${this.file}: input "${input.name}" has no known shape; export it with a fixed example input.`);
    if (typeof shape[0] === 'number') this.exportBatch = shape[0];
    let rest = shape.slice(1);
    if (options.inputShape) {
      if (options.inputShape.length !== rest.length) throw new ModelImportError(`${this.file}: input "${input.name}" has ${rest.length} dimensions besides the batch; the given input shape has ${options.inputShape.length}.`);
      rest = options.inputShape;
    }
    if (rest.some((d) => typeof d !== 'number' || !(d > 0))) {
      throw new ModelImportError(`${this.file}: input "${input.name}" has shape [${shape.join(', ')}]; its size besides the batch must be fixed (export with a fixed height and width, or give the input shape).`);
    }
    const onnxInputShape = rest as number[];
    // An image input whose every reader transposes it to NCHW is channels-last already: it stays
    // as it is ('plain'), and those transposes become relabellings (transpose()).
    const readers = g.nodes.filter((n) => n.inputs.includes(input.name));
    const channelsLastInput = onnxInputShape.length === 3 && readers.length > 0 && readers.every((n) => n.opType === 'Transpose' && ints(n, 'perm', []).join() === '0,3,1,2');
    const image = onnxInputShape.length === 3 && !channelsLastInput;
    const inputShape = image ? [onnxInputShape[1]!, onnxInputShape[2]!, onnxInputShape[0]!] : onnxInputShape;
    const inputRef = this.b.input(input.name, inputShape);
    this.values.set(input.name, this.out(inputRef, [null, ...onnxInputShape], image ? 'nhwc' : 'plain'));
    for (const [name, t] of g.initializers) this.values.set(name, constFromTensor(t));

    for (const node of g.nodes) {
      this.node = node;
      const label = `node ${node.index} "${node.name || '(unnamed)'}" (op ${node.domain ? `${node.domain}.` : ''}${node.opType})`;
      if (node.inputs.some((i) => i && this.failed.has(i))) {
        for (const o of node.outputs) this.failed.add(o);
        continue;
      }
      const missing = node.inputs.find((i) => i && !this.values.has(i));
      try {
        if (missing) throw new ConvertError(`its input "${missing}" is not produced by any earlier node`);
        if (node.domain) throw new ConvertError('it belongs to a custom operator domain');
        const ins = node.inputs.map((i) => (i ? this.values.get(i)! : null));
        const outs = this.step(node, ins);
        outs.forEach((v, i) => {
          const name = node.outputs[i];
          if (name && v) this.values.set(name, v);
        });
      } catch (e) {
        if (!(e instanceof ConvertError) && !(e instanceof FoldError)) throw e;
        const why = e.message;
        this.unsupported.push({ index: node.index, name: node.name, type: node.domain ? `${node.domain}.${node.opType}` : node.opType, message: `${label} is not supported${why ? `: ${why}` : ''}` });
        for (const o of node.outputs) this.failed.add(o);
      }
    }

    const layerOf: Record<string, string> = {};
    for (const [name, v] of this.values) if (v.kind === 'tensor') layerOf[name] = v.ref;
    const result: OnnxConversion = { topology: null, weights: new Map(), unsupported: this.unsupported, layerOf, inputName: input.name, onnxInputShape, channelsLastInput, inputShape, outputs: [], logitsLayer: null, notes: this.notes };
    if (this.unsupported.length) return result;

    const outputRefs: string[] = [];
    for (const o of g.outputs) {
      const v = this.values.get(o.name);
      if (!v || v.kind !== 'tensor') throw new ModelImportError(`${this.file}: output "${o.name}" is a constant; there is nothing to convert.`);
      let t = v;
      if (t.layout === 'hwc-flat') t = this.logical(t);
      if (t.layout === 'nhwc') this.notes.push(`Output "${o.name}" is an image tensor; Glasswing gives it channels-last (batch, height, width, channels).`);
      result.outputs.push({ name: o.name, layer: t.ref, nhwc: t.layout === 'nhwc' });
      outputRefs.push(t.ref);
    }
    const only = result.outputs.length === 1 ? this.values.get(g.outputs[0]!.name) as TensorValue : null;
    const units = only && only.shape.length === 2 ? only.shape[1] : null;
    const last = only ? this.b.layer(only.ref) : null;
    const endsInProbabilities = !!last && ((last.className === 'Activation' && ['softmax', 'sigmoid'].includes(String(last.config['activation']))) || last.className === 'Softmax');
    if ((options.appendSoftmax ?? true) && only && typeof units === 'number' && units > 1 && !endsInProbabilities) {
      const softmax = this.b.add('Activation', 'softmax', { activation: 'softmax' }, [only.ref]);
      result.logitsLayer = only.ref;
      outputRefs[0] = softmax;
      result.outputs[0] = { ...result.outputs[0]!, layer: softmax };
      this.notes.push(`The model ends in ${units} logits; a softmax layer was added so predictions are probabilities (Grad-CAM still explains the logits).`);
    }
    const built = this.b.topology([inputRef], outputRefs);
    result.topology = built.topology;
    result.weights = built.weights;
    return result;
  }

  private step(node: OnnxNode, ins: (Value | null)[]): (Value | null)[] {
    const present = ins.filter((v): v is Value => v !== null);
    if (node.opType === 'Shape' && ins[0]?.kind === 'tensor') {
      let dims = ins[0].shape.map((d) => (d === null ? NaN : d));
      if (this.g.opset >= 15) dims = dims.slice(int(node, 'start', 0), node.attributes['end'] === undefined ? undefined : int(node, 'end', dims.length));
      return [constOf([dims.length], dims, true)];
    }
    if (present.every((v) => v.kind === 'const')) {
      const folded = foldNode(node, ins as (ConstValue | null)[], this.g.opset);
      if (folded) return folded;
      throw new ConvertError(`Glasswing cannot compute it on constants`);
    }
    const handler = HANDLERS[node.opType];
    if (!handler) throw new ConvertError('');
    return handler.call(this, node, ins);
  }

  // ---- ops -----------------------------------------------------------------------------------

  conv(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.nhwc(this.tensor(ins[0]));
    const w = this.constant(ins[1], 'weight');
    const bias = ins[2] ? this.constant(ins[2], 'bias') : null;
    if (w.dims.length !== 4) throw new ConvertError(`only 2-D convolutions are converted (its weight has shape [${w.dims.join(', ')}])`);
    const [o, ipg, kh, kw] = w.dims as [number, number, number, number];
    const [, c, h, wd] = x.shape as number[];
    const group = int(node, 'group', 1);
    const strides = ints(node, 'strides', [1, 1]) as [number, number];
    const dil = ints(node, 'dilations', [1, 1]) as [number, number];
    if ((strides[0] > 1 || strides[1] > 1) && (dil[0] > 1 || dil[1] > 1)) throw new ConvertError('TF.js cannot combine strides and dilations above 1');
    const pads = this.pads(node, h!, wd!, [kh, kw], strides, dil);
    const padding = choosePadding(h!, wd!, [kh, kw], strides, dil, pads);
    const hint = this.hint('conv2d');
    const input = this.applyPadding(x, padding, hint);
    const common = { kernel_size: [kh, kw], strides, padding: padding.mode === 'same' ? 'same' : 'valid', data_format: 'channels_last', dilation_rate: dil, activation: 'linear', use_bias: !!bias };
    let ref: string;
    if (group === 1) {
      // OIHW → HWIO
      const k = new Float32Array(o * ipg * kh * kw);
      for (let oo = 0; oo < o; oo++) for (let i = 0; i < ipg; i++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) {
        k[((y * kw + z) * ipg + i) * o + oo] = w.data[((oo * ipg + i) * kh + y) * kw + z]!;
      }
      ref = this.layer('Conv2D', hint, { filters: o, ...common }, [input], [{ shape: [kh, kw, ipg, o], data: k }, ...(bias ? [{ shape: [o], data: f32(bias) }] : [])]);
    } else if (group === c && ipg === 1 && o % c === 0) {
      // Depthwise: output channel ch·mult + m of ONNX is (input channel ch, multiplier m) in Keras.
      const mult = o / c;
      const k = new Float32Array(kh * kw * c * mult);
      for (let ch = 0; ch < c; ch++) for (let m = 0; m < mult; m++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) {
        k[((y * kw + z) * c + ch) * mult + m] = w.data[((ch * mult + m) * kh + y) * kw + z]!;
      }
      ref = this.layer('DepthwiseConv2D', hint, { depth_multiplier: mult, ...common }, [input], [{ shape: [kh, kw, c, mult], data: k }, ...(bias ? [{ shape: [o], data: f32(bias) }] : [])]);
    } else {
      throw new ConvertError(`grouped convolution with group=${group} (only group=1 and depthwise, group=channels, are converted)`);
    }
    return [this.out(ref, [null, o, padding.out[0], padding.out[1]], 'nhwc')];
  }

  private pads(node: OnnxNode, h: number, w: number, kernel: [number, number], strides: [number, number], dil: [number, number]): [number, number, number, number] {
    const auto = text(node, 'auto_pad', 'NOTSET');
    if (auto !== 'NOTSET') {
      const p = autoPads(auto, h, w, kernel, strides, dil);
      if (!p) throw new ConvertError(`auto_pad "${auto}" is not known`);
      return p;
    }
    const p = ints(node, 'pads', [0, 0, 0, 0]);
    if (p.length !== 4) throw new ConvertError(`pads [${p.join(', ')}] are not for a 2-D window`);
    return p as [number, number, number, number];
  }

  private applyPadding(x: TensorValue, padding: SpatialPadding, hint: string): TensorValue {
    if (padding.mode !== 'explicit') return x;
    const [[t, b], [l, r]] = padding.pads;
    const [, c, h, w] = x.shape as number[];
    const ref = this.layer('ZeroPadding2D', `${hint}_pad`, { padding: [[t, b], [l, r]], data_format: 'channels_last' }, [x]);
    return this.out(ref, [null, c!, h! + t + b, w! + l + r], 'nhwc', { nonNegative: x.nonNegative });
  }

  convTranspose(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.nhwc(this.tensor(ins[0]));
    const w = this.constant(ins[1], 'weight');
    const bias = ins[2] ? this.constant(ins[2], 'bias') : null;
    if (w.dims.length !== 4) throw new ConvertError('only 2-D transposed convolutions are converted');
    if (int(node, 'group', 1) !== 1) throw new ConvertError('grouped transposed convolution');
    const dil = ints(node, 'dilations', [1, 1]);
    if (dil.some((d) => d !== 1)) throw new ConvertError('dilated transposed convolution');
    if (node.attributes['output_shape'] !== undefined || text(node, 'auto_pad', 'NOTSET') !== 'NOTSET') throw new ConvertError('output_shape or auto_pad on ConvTranspose');
    const [ci, o, kh, kw] = w.dims as [number, number, number, number];
    const [, , h, wd] = x.shape as number[];
    const [sh, sw] = ints(node, 'strides', [1, 1]) as [number, number];
    const [pt, pl, pb, pr] = ints(node, 'pads', [0, 0, 0, 0]);
    const [oph, opw] = ints(node, 'output_padding', [0, 0]);
    // Keras 'valid' gives in·s + max(k − s, 0); ONNX gives s·(in − 1) + k + output_padding − pads.
    const kerasH = h! * sh + Math.max(kh - sh, 0);
    const kerasW = wd! * sw + Math.max(kw - sw, 0);
    const onnxH = sh * (h! - 1) + kh + oph! - pt! - pb!;
    const onnxW = sw * (wd! - 1) + kw + opw! - pl! - pr!;
    const cropB = kerasH - pt! - onnxH;
    const cropR = kerasW - pl! - onnxW;
    if (cropB < 0 || cropR < 0) throw new ConvertError('output_padding larger than Keras can produce');
    // [Cin, Cout, kh, kw] → TF.js conv2dTranspose's [kh, kw, Cout, Cin]
    const k = new Float32Array(ci * o * kh * kw);
    for (let i = 0; i < ci; i++) for (let oo = 0; oo < o; oo++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) {
      k[((y * kw + z) * o + oo) * ci + i] = w.data[((i * o + oo) * kh + y) * kw + z]!;
    }
    const hint = this.hint('conv2d_transpose');
    let ref = this.layer(
      'Conv2DTranspose',
      hint,
      { filters: o, kernel_size: [kh, kw], strides: [sh, sw], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: !!bias },
      [x],
      [{ shape: [kh, kw, o, ci], data: k }, ...(bias ? [{ shape: [o], data: f32(bias) }] : [])],
    );
    if (pt || pl || cropB || cropR) ref = this.b.add('Cropping2D', `${hint}_crop`, { cropping: [[pt, cropB], [pl, cropR]], data_format: 'channels_last' }, [ref]);
    return [this.out(ref, [null, o, onnxH, onnxW], 'nhwc')];
  }

  pool(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const max = node.opType === 'MaxPool';
    const x = this.nhwc(this.tensor(ins[0]));
    if (node.outputs[1]) throw new ConvertError('MaxPool with indices output');
    const [, c, h, w] = x.shape as number[];
    const kernel = ints(node, 'kernel_shape', []) as [number, number];
    if (kernel.length !== 2) throw new ConvertError('only 2-D pooling is converted');
    const strides = ints(node, 'strides', [1, 1]) as [number, number];
    const dil = ints(node, 'dilations', [1, 1]) as [number, number];
    if (dil.some((d) => d !== 1)) throw new ConvertError('dilated pooling');
    const ceil = int(node, 'ceil_mode', 0) === 1;
    const pads = this.pads(node, h!, w!, kernel, strides, dil);
    const padding = choosePadding(h!, w!, kernel, strides, dil, pads, ceil);
    const hint = this.hint(max ? 'max_pooling2d' : 'average_pooling2d');
    let input = x;
    let mode: 'valid' | 'same' = padding.mode === 'same' ? 'same' : 'valid';
    if (max) {
      // Keras 'same' max pooling ignores the padding (as −∞ would); zeros are only safe on values ≥ 0.
      if (padding.mode === 'explicit') {
        if (!x.nonNegative) throw new ConvertError('max pooling with padding Keras cannot match on an input that may be negative');
        input = this.applyPadding(x, padding, hint);
      }
    } else {
      const includePad = int(node, 'count_include_pad', 0) === 1;
      const declared = pads.some((p) => p > 0);
      if (ceil && padding.mode !== 'valid' && (padding.mode === 'same' || padding.pads[0][1] > pads[2] || padding.pads[1][1] > pads[3])) {
        throw new ConvertError('average pooling with ceil_mode that adds a partial window');
      }
      if (includePad && declared && padding.mode !== 'valid') {
        // Zeros counted in the average: ZeroPadding2D then 'valid' does exactly that.
        input = this.applyPadding(x, padding.mode === 'explicit' ? padding : { mode: 'explicit', pads: [[pads[0], pads[2]], [pads[1], pads[3]]], out: padding.out }, hint);
        mode = 'valid';
      } else if (!includePad && padding.mode === 'explicit') {
        throw new ConvertError('average pooling that excludes padding which is not TensorFlow\'s "same" padding');
      }
    }
    const ref = this.layer(max ? 'MaxPooling2D' : 'AveragePooling2D', hint, { pool_size: kernel, strides, padding: mode, data_format: 'channels_last' }, [input]);
    return [this.out(ref, [null, c!, padding.out[0], padding.out[1]], 'nhwc', { nonNegative: x.nonNegative })];
  }

  globalPool(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.nhwc(this.tensor(ins[0]));
    const max = node.opType === 'GlobalMaxPool' || node.opType === 'ReduceMax';
    if (node.opType.startsWith('Reduce')) {
      const axes = (ins[1] ? Array.from(this.constant(ins[1], 'axes').data) : ints(node, 'axes', [])).map((a) => (a < 0 ? a + 4 : a)).sort();
      if (axes.join(',') !== '2,3') throw new ConvertError(`${node.opType} over axes other than height and width`);
      const ref = this.layer(max ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D', this.hint(max ? 'global_max_pooling2d' : 'global_average_pooling2d'), { data_format: 'channels_last' }, [x]);
      return int(node, 'keepdims', 1) ? [this.out(ref, [null, x.shape[1]!, 1, 1], 'c11', { nonNegative: x.nonNegative })] : [this.out(ref, [null, x.shape[1]!], 'plain', { nonNegative: x.nonNegative })];
    }
    const ref = this.layer(max ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D', this.hint(max ? 'global_max_pooling2d' : 'global_average_pooling2d'), { data_format: 'channels_last' }, [x]);
    return [this.out(ref, [null, x.shape[1]!, 1, 1], 'c11', { nonNegative: x.nonNegative })];
  }

  /**
   * BatchNormalization stays a layer rather than being folded into the conv before it: learners
   * see the layers their PyTorch model had, the BN output keeps its own feature maps, and
   * fine-tuning goes on normalising (a folded BN would train as a mere bias). Exports from eval
   * mode arrive already folded by torch.onnx.export; then there is nothing to fold.
   */
  batchNorm(node: OnnxNode, ins: (Value | null)[]): Value[] {
    let x = this.tensor(ins[0]);
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => this.constant(ins[i], ['', 'scale', 'bias', 'mean', 'variance'][i]!));
    if (node.outputs.slice(1).some(Boolean)) throw new ConvertError('BatchNormalization in training mode (running statistics as outputs)');
    if (x.layout === 'hwc-flat') x = this.logical(x);
    const axis = x.layout === 'nhwc' || x.layout === 'c11' || x.shape.length === 2 ? -1 : 1;
    const ref = this.layer(
      'BatchNormalization',
      this.hint('batch_normalization'),
      {
        axis,
        momentum: float(node, 'momentum', 0.9),
        epsilon: float(node, 'epsilon', 1e-5),
        center: true,
        scale: true,
        beta_initializer: { class_name: 'Zeros', config: {} },
        gamma_initializer: { class_name: 'Ones', config: {} },
        moving_mean_initializer: { class_name: 'Zeros', config: {} },
        moving_variance_initializer: { class_name: 'Ones', config: {} },
      },
      [x],
      [scale!, bias!, mean!, variance!].map((c) => ({ shape: [c.data.length], data: f32(c) })),
    );
    return [this.out(ref, x.shape, x.layout)];
  }

  gemm(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const matmul = node.opType === 'MatMul';
    let x = this.tensor(ins[0]);
    const b = this.constant(ins[1], 'weight');
    if (!matmul && int(node, 'transA', 0)) throw new ConvertError('Gemm with transA=1');
    if (b.dims.length !== 2) throw new ConvertError(`its weight has shape [${b.dims.join(', ')}]; a matrix was expected`);
    if (x.layout === 'nhwc' || (x.layout === 'plain' && x.shape.length > 2 && !matmul)) throw new ConvertError(`it takes a tensor of shape [${x.shape.map((d) => d ?? 'N').join(', ')}]; flatten it first`);
    if (x.layout === 'c11') x = this.flatten(x);
    const trans = !matmul && int(node, 'transB', 0) === 1;
    const [k, m] = trans ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
    const features = x.shape[x.shape.length - 1];
    if (features !== k) throw new ConvertError(`its input has ${features} features; the weight expects ${k}`);
    const alpha = matmul ? 1 : float(node, 'alpha', 1);
    const kernel = new Float32Array(k * m);
    // Keras's Dense kernel is [in, out]; a Flatten of an NHWC image feeds features in H, W, C order.
    const row = x.layout === 'hwc-flat' ? this.hwcRowMap(x) : null;
    for (let i = 0; i < k; i++) {
      const src = row ? row[i]! : i;
      for (let j = 0; j < m; j++) kernel[i * m + j] = alpha * (trans ? b.data[j * k + src]! : b.data[src * m + j]!);
    }
    const weights: KerasWeight[] = [{ shape: [k, m], data: kernel }];
    const c = !matmul && ins[2] ? this.constant(ins[2], 'bias') : null;
    if (c) {
      if (c.data.length !== m && c.data.length !== 1) throw new ConvertError(`its bias has ${c.data.length} values for ${m} outputs`);
      const beta = float(node, 'beta', 1);
      weights.push({ shape: [m], data: Float32Array.from({ length: m }, (_, j) => beta * c.data[c.data.length === 1 ? 0 : j]!) });
    }
    const ref = this.layer('Dense', this.hint('dense'), { units: m, activation: 'linear', use_bias: !!c, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} } }, [x], weights);
    return [this.out(ref, [...x.shape.slice(0, -1), m], 'plain', { pendingBias: !c })];
  }

  /** For a hwc-flat value: stored feature index → logical (C, H, W) feature index. */
  private hwcRowMap(x: TensorValue): Int32Array {
    const [c, h, w] = this.chw(x);
    const map = new Int32Array(c * h * w);
    for (let y = 0; y < h; y++) for (let z = 0; z < w; z++) for (let ch = 0; ch < c; ch++) map[(y * w + z) * c + ch] = (ch * h + y) * w + z;
    return map;
  }

  binary(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const op = node.opType as 'Add' | 'Sub' | 'Mul' | 'Div';
    const [a, b] = [ins[0], ins[1]];
    if (!a || !b) throw new ConvertError('an input is missing');
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      let [x, y] = [a, b];
      if (x.layout !== y.layout || (x.layout === 'hwc-flat' && this.chw(x).join() !== this.chw(y).join())) {
        if (x.layout === 'c11' && y.layout === 'nhwc') x = this.nhwc(x);
        else if (y.layout === 'c11' && x.layout === 'nhwc') y = this.nhwc(y);
        else [x, y] = [this.logical(x), this.logical(y)];
      }
      const shape = x.shape.length >= y.shape.length ? x.shape.map((d, i) => (d === 1 ? (y.shape[i] ?? d) : d)) : y.shape;
      const hint = this.hint(op.toLowerCase());
      const nn = !!(x.nonNegative && y.nonNegative);
      if (op === 'Add') return [this.out(this.layer('Add', hint, {}, [x, y]), shape, x.layout, { nonNegative: nn })];
      if (op === 'Mul') return [this.out(this.layer('Multiply', hint, {}, [x, y]), shape, x.layout, { nonNegative: nn })];
      if (op === 'Sub') {
        const neg = this.out(this.layer('Rescaling', `${hint}_neg`, { scale: -1, offset: 0 }, [y]), y.shape, y.layout);
        return [this.out(this.layer('Add', hint, {}, [x, neg]), shape, x.layout)];
      }
      throw new ConvertError('division of two computed tensors');
    }
    const tensorFirst = a.kind === 'tensor';
    const x = (tensorFirst ? a : b) as TensorValue;
    const c = (tensorFirst ? b : a) as ConstValue;
    const hint = this.hint(op.toLowerCase());
    // y = scale·x + offset, per element of c
    const coefficients = (v: number): [number, number] => {
      switch (op) {
        case 'Add': return [1, v];
        case 'Mul': return [v, 0];
        case 'Sub': return tensorFirst ? [1, -v] : [-1, v];
        case 'Div':
          if (!tensorFirst) throw new ConvertError('a constant divided by a tensor');
          return [1 / v, 0];
      }
    };
    const nonNegOut = !!x.nonNegative && Array.from(c.data).every((v) => { const [s, o] = coefficients(v); return s >= 0 && o >= 0; });
    if (c.data.length === 1) {
      const [scale, offset] = coefficients(c.data[0]!);
      return [this.out(this.layer('Rescaling', hint, { scale, offset }, [x]), x.shape, x.layout, { nonNegative: nonNegOut })];
    }
    if (op === 'Add' && x.pendingBias && (this.uses.get(node.inputs[tensorFirst ? 0 : 1]!) ?? 0) === 1 && c.data.length === x.shape[x.shape.length - 1]) {
      // MatMul + Add: the constant becomes the Dense layer's bias.
      const dense = this.b.layer(x.ref);
      dense.config['use_bias'] = true;
      dense.weights.push({ shape: [c.data.length], data: f32(c) });
      return [{ ...x, pendingBias: false }];
    }
    // Per-channel constants on images: a 1×1 depthwise convolution (frozen) computes scale·x + offset.
    const rank = x.shape.length;
    const cd = [...new Array(Math.max(0, rank - c.dims.length)).fill(1), ...c.dims];
    const channels = x.shape[1];
    const perChannel = rank === 4 && cd.length === 4 && cd[0] === 1 && cd[1] === channels && cd[2] === 1 && cd[3] === 1;
    if (perChannel && (x.layout === 'nhwc' || x.layout === 'c11')) {
      const img = this.nhwc(x);
      const k = new Float32Array(channels!);
      const bias = new Float32Array(channels!);
      for (let i = 0; i < channels!; i++) [k[i], bias[i]] = coefficients(c.data[i]!);
      const ref = this.layer('DepthwiseConv2D', hint, { kernel_size: [1, 1], strides: [1, 1], padding: 'valid', depth_multiplier: 1, activation: 'linear', use_bias: true, trainable: false }, [img], [{ shape: [1, 1, channels!, 1], data: k }, { shape: [channels!], data: bias }]);
      return [this.out(ref, x.shape, 'nhwc', { nonNegative: nonNegOut })];
    }
    throw new ConvertError(`${op} with a constant of shape [${c.dims.join(', ')}] (scalars and per-channel constants are converted)`);
  }

  activation(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.tensor(ins[0]);
    const hint = this.hint(node.opType.toLowerCase());
    const keep = (ref: string, nonNegative = false) => [this.out(ref, x.shape, x.layout, { nonNegative })];
    const act = (name: string, nonNegative = false) => keep(this.layer('Activation', hint, { activation: name }, [x]), nonNegative);
    switch (node.opType) {
      case 'Relu': return act('relu', true);
      case 'Sigmoid': return act('sigmoid', true);
      case 'Tanh': return act('tanh');
      case 'Softplus': return act('softplus', true);
      case 'Softsign': return act('softsign');
      case 'Selu':
        if (Math.abs(float(node, 'alpha', 1.67326319217681884765625) - 1.6732632) > 1e-6 || Math.abs(float(node, 'gamma', 1.05070102214813232421875) - 1.050701) > 1e-6) throw new ConvertError('Selu with non-default alpha/gamma');
        return act('selu');
      case 'Elu':
        if (Math.abs(float(node, 'alpha', 1) - 1) > 1e-7) throw new ConvertError(`Elu with alpha ${float(node, 'alpha', 1)} (TF.js computes alpha 1 only)`);
        return act('elu');
      case 'LeakyRelu': return keep(this.layer('LeakyReLU', hint, { alpha: float(node, 'alpha', 0.01) }, [x]));
      case 'HardSigmoid': {
        const alpha = float(node, 'alpha', 0.2);
        const beta = float(node, 'beta', 0.5);
        if (Math.abs(alpha - 0.2) < 1e-7 && Math.abs(beta - 0.5) < 1e-7) return act('hard_sigmoid', true);
        return keep(this.hardSigmoid(x, alpha, beta, hint), true);
      }
      case 'HardSwish': {
        const gate = this.out(this.hardSigmoid(x, 1 / 6, 0.5, `${hint}_gate`), x.shape, x.layout);
        return keep(this.layer('Multiply', hint, {}, [x, gate]));
      }
      case 'Clip': return this.clip(node, ins, x, hint);
      case 'Softmax':
      case 'LogSoftmax': {
        const rank = x.shape.length;
        const axis = int(node, 'axis', this.g.opset >= 13 ? -1 : 1);
        const a = axis < 0 ? axis + rank : axis;
        const lastLogical = a === rank - 1;
        const channelsOfImage = rank === 4 && a === 1 && x.layout === 'nhwc' && this.g.opset >= 13;
        const oldRank2 = this.g.opset < 13 && rank === 2 && a === 1;
        if (!(lastLogical && x.layout !== 'nhwc') && !channelsOfImage && !oldRank2) throw new ConvertError(`softmax over axis ${axis} of a tensor of shape [${x.shape.map((d) => d ?? 'N').join(', ')}]`);
        // Over all features the stored order does not matter: hwc-flat stays as it is.
        return act(node.opType === 'Softmax' ? 'softmax' : 'log_softmax', node.opType === 'Softmax');
      }
      default:
        throw new ConvertError('');
    }
  }

  /** max(0, min(1, alpha·x + beta)) as Rescaling → ReLU(max_value 1). */
  private hardSigmoid(x: TensorValue, alpha: number, beta: number, hint: string): string {
    const scaled = this.out(this.layer('Rescaling', `${hint}_affine`, { scale: alpha, offset: beta }, [x]), x.shape, x.layout);
    return this.layer('ReLU', hint, { max_value: 1 }, [scaled]);
  }

  private clip(node: OnnxNode, ins: (Value | null)[], x: TensorValue, hint: string): Value[] {
    const bound = (i: number, attr: string, fallback: number) => {
      if (this.g.opset >= 11) return ins[i] ? this.constant(ins[i], attr).data[0]! : fallback;
      return float(node, attr, fallback);
    };
    const lo = bound(1, 'min', -Infinity);
    const hi = bound(2, 'max', Infinity);
    const keep = (ref: string) => [this.out(ref, x.shape, x.layout, { nonNegative: lo >= 0 || (!!x.nonNegative && hi >= 0) })];
    if (lo === 0 && hi === 6) return keep(this.layer('Activation', hint, { activation: 'relu6' }, [x]));
    if (lo === 0) return keep(this.layer('ReLU', hint, Number.isFinite(hi) ? { max_value: hi } : {}, [x]));
    if (!Number.isFinite(lo) && !Number.isFinite(hi)) return [x];
    if (Number.isFinite(lo)) {
      // clip(x, lo, hi) = relu_{≤hi−lo}(x − lo) + lo
      const shifted = this.out(this.layer('Rescaling', `${hint}_shift`, { scale: 1, offset: -lo }, [x]), x.shape, x.layout);
      const clipped = this.out(this.layer('ReLU', `${hint}_relu`, Number.isFinite(hi) ? { max_value: hi - lo } : {}, [shifted]), x.shape, x.layout);
      return keep(this.layer('Rescaling', hint, { scale: 1, offset: lo }, [clipped]));
    }
    // min(x, hi) = hi − relu(hi − x)
    const flipped = this.out(this.layer('Rescaling', `${hint}_flip`, { scale: -1, offset: hi }, [x]), x.shape, x.layout);
    const relu = this.out(this.layer('ReLU', `${hint}_relu`, {}, [flipped]), x.shape, x.layout);
    return keep(this.layer('Rescaling', hint, { scale: -1, offset: hi }, [relu]));
  }

  prelu(_node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.tensor(ins[0]);
    const slope = this.constant(ins[1], 'slope');
    const hint = this.hint('prelu');
    if (slope.data.length === 1) return [this.out(this.layer('LeakyReLU', hint, { alpha: slope.data[0] }, [x]), x.shape, x.layout)];
    if (x.layout === 'nhwc' && slope.data.length === x.shape[1]) {
      const c = x.shape[1]!;
      return [this.out(this.layer('PReLU', hint, { shared_axes: [1, 2], alpha_initializer: { class_name: 'Zeros', config: {} } }, [x], [{ shape: [1, 1, c], data: f32(slope) }]), x.shape, 'nhwc')];
    }
    if ((x.layout === 'plain' || x.layout === 'c11') && x.shape.length === 2 && slope.data.length === x.shape[1]) {
      return [this.out(this.layer('PReLU', hint, { alpha_initializer: { class_name: 'Zeros', config: {} } }, [x], [{ shape: [x.shape[1]!], data: f32(slope) }]), x.shape, x.layout)];
    }
    throw new ConvertError(`PRelu with a slope of shape [${slope.dims.join(', ')}]`);
  }

  flattenOp(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.tensor(ins[0]);
    const axis = int(node, 'axis', 1);
    if (axis !== 1 && !(axis === -1 && x.shape.length === 2)) throw new ConvertError(`Flatten at axis ${axis} (only axis 1, after the batch, is converted)`);
    return [this.flatten(x)];
  }

  reshape(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.tensor(ins[0]);
    const target = Array.from(this.constant(ins[1], 'target shape').data);
    const dims = target.map((d, i) => (d === 0 && int(node, 'allowzero', 0) === 0 ? (x.shape[i] ?? NaN) : d));
    const first = dims[0];
    const restKnown = dims.slice(1).every((d) => Number.isFinite(d) && d !== -1);
    const isBatch = first === undefined ? false : Number.isNaN(first) || first === null || (first === -1 && restKnown) || (this.exportBatch !== null && first === this.exportBatch);
    if (!isBatch) throw new ConvertError(`a reshape to [${target.map((d) => (Number.isNaN(d) ? 'N' : d)).join(', ')}] that does not keep the batch first`);
    const features = product(x.shape.slice(1));
    const rest = dims.slice(1);
    if (rest.some((d) => Number.isNaN(d))) throw new ConvertError('a reshape that depends on the batch size beyond the first dimension');
    const known = rest.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    const resolved = rest.map((d) => (d === -1 ? features / known : d));
    if (resolved.reduce((p, d) => p * d, 1) !== features) throw new ConvertError(`a reshape of ${features} values per example to [${resolved.join(', ')}]`);
    if (resolved.length === 1) return [this.flatten(x)];
    if (x.layout === 'c11' && resolved.length === 3 && resolved[0] === x.shape[1] && resolved[1] === 1 && resolved[2] === 1) return [x];
    if (x.layout === 'nhwc' && resolved.join() === x.shape.slice(1).join()) return [x];
    const p = this.logical(x);
    const ref = this.layer('Reshape', this.hint('reshape'), { target_shape: resolved }, [p]);
    return [this.out(ref, [null, ...resolved], 'plain', { nonNegative: x.nonNegative })];
  }

  squeeze(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.tensor(ins[0]);
    const raw = ins[1] ? Array.from(this.constant(ins[1], 'axes').data) : ints(node, 'axes', []);
    const rank = x.shape.length;
    if (node.opType === 'Squeeze') {
      const axes = raw.map((a) => (a < 0 ? a + rank : a)).sort().join();
      if (rank === 4 && axes === '2,3' && x.shape[2] === 1 && x.shape[3] === 1) return [this.flatten(x)];
      throw new ConvertError(`Squeeze of axes [${raw.join(', ')}] of a tensor of shape [${x.shape.map((d) => d ?? 'N').join(', ')}]`);
    }
    const axes = raw.map((a) => (a < 0 ? a + rank + raw.length : a)).sort().join();
    if (rank === 2 && axes === '2,3' && (x.layout === 'plain' || x.layout === 'c11')) return [{ ...x, shape: [null, x.shape[1]!, 1, 1], layout: 'c11' }];
    throw new ConvertError(`Unsqueeze of axes [${raw.join(', ')}] of a tensor of shape [${x.shape.map((d) => d ?? 'N').join(', ')}]`);
  }

  concat(node: OnnxNode, ins: (Value | null)[]): Value[] {
    let xs = ins.map((v, i) => this.tensor(v, `input ${i + 1}`));
    const rank = xs[0]!.shape.length;
    const axis = ((a) => (a < 0 ? a + rank : a))(int(node, 'axis', 1));
    if (axis === 0) throw new ConvertError('concatenation along the batch');
    if (xs.some((x) => x.layout === 'nhwc') && xs.every((x) => x.layout === 'nhwc' || x.layout === 'c11')) xs = xs.map((x) => this.nhwc(x));
    else if (!xs.every((x) => x.layout === 'plain' || x.layout === 'c11') || xs.some((x) => x.layout !== xs[0]!.layout)) xs = xs.map((x) => this.logical(x));
    const layout = xs[0]!.layout;
    const kerasAxis = layout === 'nhwc' ? [0, 3, 1, 2][axis]! : axis;
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce<number | null>((s, x) => (s === null || x.shape[axis] === null ? null : s + x.shape[axis]!), 0);
    if (xs.length === 1) return [xs[0]!];
    const ref = this.layer('Concatenate', this.hint('concatenate'), { axis: kerasAxis }, xs);
    return [this.out(ref, shape, layout, { nonNegative: xs.every((x) => x.nonNegative) })];
  }

  pad(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.nhwc(this.tensor(ins[0]));
    const mode = text(node, 'mode', 'constant');
    if (mode !== 'constant') throw new ConvertError(`Pad in "${mode}" mode (only zero padding is converted)`);
    const pads = this.g.opset >= 11 ? Array.from(this.constant(ins[1], 'pads').data) : ints(node, 'pads', []);
    const value = this.g.opset >= 11 ? (ins[2] ? this.constant(ins[2], 'value').data[0]! : 0) : float(node, 'value', 0);
    if (value !== 0) throw new ConvertError(`Pad with the value ${value} (only zero padding is converted)`);
    if (ins[3]) throw new ConvertError('Pad with axes');
    if (pads.length !== 8 || pads[0] || pads[1] || pads[4] || pads[5]) throw new ConvertError(`Pad [${pads.join(', ')}] (only height and width padding is converted)`);
    if (pads.some((p) => p < 0)) throw new ConvertError('negative padding (cropping)');
    const [t, l, b, r] = [pads[2]!, pads[3]!, pads[6]!, pads[7]!];
    const [, c, h, w] = x.shape as number[];
    const ref = this.layer('ZeroPadding2D', this.hint('zero_padding2d'), { padding: [[t, b], [l, r]], data_format: 'channels_last' }, [x]);
    return [this.out(ref, [null, c!, h! + t + b, w! + l + r], 'nhwc', { nonNegative: x.nonNegative })];
  }

  dropout(node: OnnxNode, ins: (Value | null)[]): (Value | null)[] {
    const x = this.tensor(ins[0]);
    const rate = this.g.opset >= 12 ? (ins[1] ? this.constant(ins[1], 'ratio').data[0]! : 0.5) : float(node, 'ratio', 0.5);
    if (!(rate > 0)) return [x, null];
    // Identity at inference, as in the file; fine-tuning then drops out as the original trained.
    return [this.out(this.layer('Dropout', this.hint('dropout'), { rate }, [x]), x.shape, x.layout, { nonNegative: x.nonNegative }), null];
  }

  identity(_node: OnnxNode, ins: (Value | null)[]): Value[] {
    return [this.tensor(ins[0])];
  }

  /**
   * The transposes between channels-first and channels-last around image ops (tf2onnx's, Glasswing's
   * own exports'): an image value is stored channels-last either way, so both directions only
   * relabel it. Other permutations are not converted.
   */
  transpose(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const x = this.tensor(ins[0]);
    const perm = ints(node, 'perm', []).join();
    const [, a, b, c] = x.shape;
    // NCHW → NHWC: logical [N, H, W, C] is the stored order.
    if (x.shape.length === 4 && x.layout === 'nhwc' && perm === '0,2,3,1') return [{ ...x, shape: [null, b!, c!, a!], layout: 'plain' }];
    // NHWC (stored as it is) → NCHW: an image value as every other.
    if (x.shape.length === 4 && x.layout === 'plain' && perm === '0,3,1,2') return [{ ...x, shape: [null, c!, a!, b!], layout: 'nhwc' }];
    throw new ConvertError(`Transpose with perm [${perm}] of a tensor of shape [${x.shape.map((d) => d ?? 'N').join(', ')}] (only channels-first ↔ channels-last of images is converted)`);
  }

  cast(node: OnnxNode, ins: (Value | null)[]): Value[] {
    const to = int(node, 'to', 1);
    if (to !== 1 && to !== 11 && to !== 10) throw new ConvertError('a cast of a tensor to a non-float type');
    return [this.tensor(ins[0])];
  }
}

type Handler = (this: Converter, node: OnnxNode, ins: (Value | null)[]) => (Value | null)[];

const HANDLERS: Record<string, Handler> = {
  Conv: Converter.prototype.conv,
  ConvTranspose: Converter.prototype.convTranspose,
  MaxPool: Converter.prototype.pool,
  AveragePool: Converter.prototype.pool,
  GlobalAveragePool: Converter.prototype.globalPool,
  GlobalMaxPool: Converter.prototype.globalPool,
  ReduceMean: Converter.prototype.globalPool,
  ReduceMax: Converter.prototype.globalPool,
  BatchNormalization: Converter.prototype.batchNorm,
  Gemm: Converter.prototype.gemm,
  MatMul: Converter.prototype.gemm,
  Add: Converter.prototype.binary,
  Sub: Converter.prototype.binary,
  Mul: Converter.prototype.binary,
  Div: Converter.prototype.binary,
  Relu: Converter.prototype.activation,
  LeakyRelu: Converter.prototype.activation,
  Elu: Converter.prototype.activation,
  Selu: Converter.prototype.activation,
  Sigmoid: Converter.prototype.activation,
  Tanh: Converter.prototype.activation,
  Softplus: Converter.prototype.activation,
  Softsign: Converter.prototype.activation,
  HardSigmoid: Converter.prototype.activation,
  HardSwish: Converter.prototype.activation,
  Clip: Converter.prototype.activation,
  Softmax: Converter.prototype.activation,
  LogSoftmax: Converter.prototype.activation,
  PRelu: Converter.prototype.prelu,
  Flatten: Converter.prototype.flattenOp,
  Reshape: Converter.prototype.reshape,
  Squeeze: Converter.prototype.squeeze,
  Unsqueeze: Converter.prototype.squeeze,
  Concat: Converter.prototype.concat,
  Pad: Converter.prototype.pad,
  Dropout: Converter.prototype.dropout,
  Identity: Converter.prototype.identity,
  Cast: Converter.prototype.cast,
  Transpose: Converter.prototype.transpose,
};

/** The ONNX op types the converter translates (besides constant folding). */
export const CONVERTED_OPS = Object.keys(HANDLERS);

export function convertOnnxGraph(graph: OnnxGraph, file: string, options: OnnxConversionOptions = {}): OnnxConversion {
  return new Converter(graph, file).convert(options);
}

/** Transposes an ONNX constant, for tests and callers that hold NCHW data. */
export { transposeConst };
