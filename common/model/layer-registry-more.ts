// Layers beyond the course's core set, as models trained elsewhere use them (ResNets, MobileNets,
// U-Nets exported from PyTorch or Keras, and opened in Glasswing): padding and cropping, depthwise,
// separable and transposed convolutions, parametric activations, rescaling, permutes and the other
// merges. Shapes and parameter counts follow Keras exactly, so an imported model's summary matches.
import { formatShape, type LayerConfig, type Shape } from './keras-format';
import { bool, convOutputLength, num, one, pair, PADDINGS, ShapeError, type LayerDefinition, type ParamSchema } from './layer-registry-core';

type Dim = number | null;
const NO_PARAMS = { trainable: 0, nonTrainable: 0 };

/** Keras's ((top, bottom), (left, right)) from an int, a pair of ints, or a pair of pairs. */
function edges(config: LayerConfig, key: string, fallback: number): [[number, number], [number, number]] {
  const v = config[key];
  if (typeof v === 'number') return [[v, v], [v, v]];
  if (Array.isArray(v) && v.length === 2) {
    const side = (s: unknown): [number, number] => (typeof s === 'number' ? [s, s] : Array.isArray(s) && s.length === 2 ? [Number(s[0]), Number(s[1])] : [fallback, fallback]);
    return [side(v[0]), side(v[1])];
  }
  return [[fallback, fallback], [fallback, fallback]];
}

function image(inputs: Shape[], className: string): Shape {
  const x = one(inputs, className);
  if (x.length !== 4) {
    throw new ShapeError(`${className} needs an input of shape (height, width, channels); it gets ${formatShape(x)}. ${x.length === 2 ? 'Remove the Flatten above it.' : 'Add a Reshape above it.'}`);
  }
  return x;
}

const add = (d: Dim, n: number): Dim => (d === null ? null : d + n);

function convParams(extra: ParamSchema[] = []): ParamSchema[] {
  return [
    { key: 'kernel_size', label: 'Kernel size', kind: 'pair', default: [3, 3], min: 1 },
    { key: 'strides', label: 'Strides', kind: 'pair', default: [1, 1], min: 1 },
    { key: 'padding', label: 'Padding', kind: 'enum', default: 'valid', options: PADDINGS },
    ...extra,
    { key: 'use_bias', label: 'Use bias', kind: 'bool', default: true },
  ];
}

function convSpatial(className: string, x: Shape, config: LayerConfig): [Dim, Dim] {
  const [kh, kw] = pair(config, 'kernel_size', [3, 3]);
  const [sh, sw] = pair(config, 'strides', [1, 1]);
  const [dh, dw] = pair(config, 'dilation_rate', [1, 1]);
  const padding = String(config['padding'] ?? 'valid');
  const h = convOutputLength(x[1]!, kh, padding, sh, dh);
  const w = convOutputLength(x[2]!, kw, padding, sw, dw);
  if ((h !== null && h < 1) || (w !== null && w < 1)) throw new ShapeError(`${className}'s kernel ${kh}×${kw} is larger than its input ${x[1]}×${x[2]}.`);
  return [h, w];
}

/** Keras's deconv_output_length. */
function deconvLength(input: Dim, kernel: number, padding: string, stride: number, outputPadding: number | null, dilation: number): Dim {
  if (input === null) return null;
  const k = kernel + (kernel - 1) * (dilation - 1);
  if (outputPadding === null) return padding === 'valid' ? input * stride + Math.max(k - stride, 0) : input * stride;
  const pad = padding === 'same' ? Math.floor(k / 2) : 0;
  return (input - 1) * stride + k - 2 * pad + outputPadding;
}

/** Merge layers that combine same-shaped inputs element by element (with Keras's broadcasting of 1s). */
function elementwise(className: string, summary: string): LayerDefinition {
  return {
    className,
    category: 'Merge',
    summary,
    params: [],
    arity: 'many',
    outputShape(inputs) {
      if (inputs.length < 2) throw new ShapeError(`${className} needs at least two inputs; it has ${inputs.length}. Wire another layer into it.`);
      if (className === 'Subtract' && inputs.length !== 2) throw new ShapeError(`Subtract takes exactly two inputs; it has ${inputs.length}.`);
      const rank = Math.max(...inputs.map((s) => s.length));
      const out: Dim[] = [null];
      for (let i = 1; i < rank; i++) {
        const dims = inputs.map((s) => s[i - rank + s.length] ?? 1);
        const big = dims.filter((d) => d !== 1);
        const known = big.filter((d): d is number => d !== null);
        if (new Set(known).size > 1) throw new ShapeError(`${className} needs inputs of the same shape (or 1 where one broadcasts); it gets ${inputs.map(formatShape).join(' and ')}.`);
        out.push(known[0] ?? (big.length ? null : 1));
      }
      return out;
    },
    paramCount: () => NO_PARAMS,
  };
}

export const MORE_LAYERS: LayerDefinition[] = [
  {
    className: 'DepthwiseConv2D',
    category: 'Convolution',
    summary: 'One small filter per channel, each seeing only its own channel (MobileNet).',
    params: convParams([{ key: 'depth_multiplier', label: 'Depth multiplier', kind: 'int', default: 1, min: 1 }]),
    arity: 1,
    outputShape(inputs, config) {
      const x = image(inputs, 'DepthwiseConv2D');
      const [h, w] = convSpatial('DepthwiseConv2D', x, config);
      return [null, h, w, x[3] === null ? null : x[3]! * num(config, 'depth_multiplier', 1)];
    },
    paramCount(inputs, config) {
      const x = image(inputs, 'DepthwiseConv2D');
      const [kh, kw] = pair(config, 'kernel_size', [3, 3]);
      const out = (x[3] ?? 0) * num(config, 'depth_multiplier', 1);
      return { trainable: kh * kw * out + (bool(config, 'use_bias', true) ? out : 0), nonTrainable: 0 };
    },
  },
  {
    className: 'SeparableConv2D',
    category: 'Convolution',
    summary: 'A depthwise convolution, then a 1×1 convolution that mixes the channels.',
    params: [{ key: 'filters', label: 'Filters', kind: 'int', default: 8, min: 1 }, ...convParams([{ key: 'depth_multiplier', label: 'Depth multiplier', kind: 'int', default: 1, min: 1 }])],
    arity: 1,
    outputShape(inputs, config) {
      const x = image(inputs, 'SeparableConv2D');
      const [h, w] = convSpatial('SeparableConv2D', x, config);
      return [null, h, w, num(config, 'filters', 8)];
    },
    paramCount(inputs, config) {
      const x = image(inputs, 'SeparableConv2D');
      const [kh, kw] = pair(config, 'kernel_size', [3, 3]);
      const mid = (x[3] ?? 0) * num(config, 'depth_multiplier', 1);
      const filters = num(config, 'filters', 8);
      return { trainable: kh * kw * mid + mid * filters + (bool(config, 'use_bias', true) ? filters : 0), nonTrainable: 0 };
    },
  },
  {
    className: 'Conv2DTranspose',
    category: 'Convolution',
    summary: 'Spreads each value over a window: grows an image (decoders, U-Nets).',
    params: [{ key: 'filters', label: 'Filters', kind: 'int', default: 8, min: 1 }, ...convParams()],
    arity: 1,
    outputShape(inputs, config) {
      const x = image(inputs, 'Conv2DTranspose');
      const [kh, kw] = pair(config, 'kernel_size', [3, 3]);
      const [sh, sw] = pair(config, 'strides', [1, 1]);
      const [dh, dw] = pair(config, 'dilation_rate', [1, 1]);
      const op = config['output_padding'];
      const [oh, ow] = op == null ? [null, null] : pair(config, 'output_padding', [0, 0]);
      const padding = String(config['padding'] ?? 'valid');
      return [null, deconvLength(x[1]!, kh, padding, sh, oh, dh), deconvLength(x[2]!, kw, padding, sw, ow, dw), num(config, 'filters', 8)];
    },
    paramCount(inputs, config) {
      const x = image(inputs, 'Conv2DTranspose');
      const [kh, kw] = pair(config, 'kernel_size', [3, 3]);
      const filters = num(config, 'filters', 8);
      return { trainable: kh * kw * (x[3] ?? 0) * filters + (bool(config, 'use_bias', true) ? filters : 0), nonTrainable: 0 };
    },
  },
  {
    className: 'ZeroPadding2D',
    category: 'Reshaping',
    summary: 'Adds rows and columns of zeros around an image.',
    params: [{ key: 'padding', label: 'Padding', kind: 'pair', default: [1, 1], min: 0 }],
    arity: 1,
    outputShape(inputs, config) {
      const x = image(inputs, 'ZeroPadding2D');
      const [[t, b], [l, r]] = edges(config, 'padding', 1);
      return [null, add(x[1]!, t + b), add(x[2]!, l + r), x[3]!];
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'Cropping2D',
    category: 'Reshaping',
    summary: 'Cuts rows and columns off the edges of an image.',
    params: [{ key: 'cropping', label: 'Cropping', kind: 'pair', default: [1, 1], min: 0 }],
    arity: 1,
    outputShape(inputs, config) {
      const x = image(inputs, 'Cropping2D');
      const [[t, b], [l, r]] = edges(config, 'cropping', 0);
      const h = add(x[1]!, -(t + b));
      const w = add(x[2]!, -(l + r));
      if ((h !== null && h < 1) || (w !== null && w < 1)) throw new ShapeError(`Cropping2D removes more than its input ${x[1]}×${x[2]} has.`);
      return [null, h, w, x[3]!];
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'UpSampling2D',
    category: 'Reshaping',
    summary: 'Repeats each pixel to make the image larger.',
    params: [{ key: 'size', label: 'Size', kind: 'pair', default: [2, 2], min: 1 }],
    arity: 1,
    outputShape(inputs, config) {
      const x = image(inputs, 'UpSampling2D');
      const [sh, sw] = pair(config, 'size', [2, 2]);
      return [null, x[1] === null ? null : x[1]! * sh, x[2] === null ? null : x[2]! * sw, x[3]!];
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'Permute',
    category: 'Reshaping',
    summary: 'Reorders the dimensions of each example, e.g. channels first to channels last.',
    params: [{ key: 'dims', label: 'Order (from 1)', kind: 'shape', default: [2, 1] }],
    arity: 1,
    outputShape(inputs, config) {
      const x = one(inputs, 'Permute');
      const dims = config['dims'];
      const n = x.length - 1;
      if (!Array.isArray(dims) || dims.length !== n || [...dims].sort().some((d, i) => d !== i + 1)) {
        throw new ShapeError(`Permute needs an order of the dimensions 1 to ${n}, each once; it has ${JSON.stringify(dims)}.`);
      }
      return [null, ...(dims as number[]).map((d) => x[d]!)];
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'Rescaling',
    category: 'Core',
    summary: 'Multiplies and shifts every value, e.g. pixels 0–255 to 0–1.',
    params: [
      { key: 'scale', label: 'Scale', kind: 'float', default: 1 / 255 },
      { key: 'offset', label: 'Offset', kind: 'float', default: 0 },
    ],
    arity: 1,
    outputShape: (inputs) => one(inputs, 'Rescaling'),
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'ReLU',
    category: 'Activation',
    summary: 'max(0, x), optionally capped (ReLU6) or leaky below a threshold.',
    params: [
      { key: 'max_value', label: 'Max value (0 = none)', kind: 'float', default: 0, min: 0 },
      { key: 'negative_slope', label: 'Negative slope', kind: 'float', default: 0, min: 0 },
    ],
    arity: 1,
    outputShape: (inputs) => one(inputs, 'ReLU'),
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'LeakyReLU',
    category: 'Activation',
    summary: 'Like ReLU, but lets a small slope through below zero.',
    params: [{ key: 'alpha', label: 'Slope below zero', kind: 'float', default: 0.3, min: 0 }],
    arity: 1,
    outputShape: (inputs) => one(inputs, 'LeakyReLU'),
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'PReLU',
    category: 'Activation',
    summary: 'A leaky ReLU whose slope below zero is learned.',
    params: [],
    arity: 1,
    outputShape: (inputs) => one(inputs, 'PReLU'),
    paramCount(inputs, config) {
      const x = one(inputs, 'PReLU');
      const shared = Array.isArray(config['shared_axes']) ? (config['shared_axes'] as number[]) : [];
      const count = x.slice(1).reduce<number>((a, d, i) => a * (shared.includes(i + 1) ? 1 : (d ?? 1)), 1);
      return { trainable: count, nonTrainable: 0 };
    },
  },
  {
    className: 'Softmax',
    category: 'Activation',
    summary: 'Turns scores into probabilities that sum to 1.',
    params: [],
    arity: 1,
    outputShape: (inputs) => one(inputs, 'Softmax'),
    paramCount: () => NO_PARAMS,
  },
  elementwise('Multiply', 'Multiplies its inputs element by element, e.g. channel attention (squeeze-and-excitation).'),
  elementwise('Subtract', 'Subtracts its second input from its first, element by element.'),
  elementwise('Average', 'Averages its inputs element by element.'),
  elementwise('Maximum', 'Keeps the larger of its inputs at every position.'),
  elementwise('Minimum', 'Keeps the smaller of its inputs at every position.'),
];
