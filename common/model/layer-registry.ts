// The layer registry: every layer Glasswing knows, described once. The palette, the parameter
// form, validation and shape inference all read from here, so adding a layer is one entry.
import { formatShape, type LayerConfig, type Shape } from './keras-format';
import { bool, convOutputLength, num, one, pair, PADDINGS, ShapeError, type LayerDefinition, type ParamCount, type ParamSchema } from './layer-registry-core';
import { MORE_LAYERS } from './layer-registry-more';

export { convOutputLength, ShapeError };
export type { LayerCategory, LayerDefinition, ParamCount, ParamSchema } from './layer-registry-core';

export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'softplus', 'swish', 'relu6'] as const;

const NO_PARAMS: ParamCount = { trainable: 0, nonTrainable: 0 };

// ---- helpers -------------------------------------------------------------------------------

function single(config: LayerConfig, key: string, fallback: number): number {
  const v = config[key];
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0] as number;
  return fallback;
}

function describeRank(rank: number): string {
  switch (rank) {
    case 2:
      return '(features)';
    case 3:
      return '(steps, features)';
    case 4:
      return '(height, width, channels)';
    default:
      return `a tensor of rank ${rank - 1}`;
  }
}

function requireRank(shape: Shape, rank: number, className: string, hint: string): void {
  if (shape.length !== rank) {
    throw new ShapeError(
      `${className} needs an input of shape ${describeRank(rank)}; it gets ${formatShape(shape)}. ${hint}`,
    );
  }
}

function requireKnown(dim: Dim, what: string, className: string): number {
  if (dim === null) throw new ShapeError(`${className} needs a known ${what}; it is unknown (None).`);
  return dim;
}
type Dim = number | null;

function spatialOutput(
  className: string,
  input: Shape,
  kernel: [number, number],
  strides: [number, number],
  padding: string,
  dilation: [number, number],
  what: string,
): [Dim, Dim] {
  const h = convOutputLength(input[1]!, kernel[0], padding, strides[0], dilation[0]);
  const w = convOutputLength(input[2]!, kernel[1], padding, strides[1], dilation[1]);
  if ((h !== null && h < 1) || (w !== null && w < 1)) {
    throw new ShapeError(
      `${className}'s ${what} ${kernel[0]}×${kernel[1]} is larger than its input ${input[1]}×${input[2]}. ` +
        `Use a smaller ${what}, padding "same", or remove a pooling layer above it.`,
    );
  }
  return [h, w];
}

function positiveInt(config: LayerConfig, key: string, className: string, fallback: number): number {
  const v = num(config, key, fallback);
  if (!Number.isInteger(v) || v < 1) throw new ShapeError(`${className}: ${key} must be a whole number of at least 1; it is ${v}.`);
  return v;
}

// ---- definitions ---------------------------------------------------------------------------

const activationParam = (def: (typeof ACTIVATIONS)[number]): ParamSchema => ({
  key: 'activation',
  label: 'Activation',
  kind: 'enum',
  default: def,
  options: ACTIVATIONS,
});

const definitions: LayerDefinition[] = [
  {
    className: 'InputLayer',
    category: 'Input',
    summary: 'Where data enters the network; its shape is one example without the batch.',
    params: [{ key: 'batch_input_shape', label: 'Shape', kind: 'shape', default: [4], help: 'One example, e.g. 28, 28, 1 for an MNIST digit' }],
    arity: 0,
    outputShape(_inputs, config) {
      const shape = config['batch_input_shape'];
      if (!Array.isArray(shape) || shape.length < 2) throw new ShapeError('Input needs a shape, e.g. (4) for Iris or (28, 28, 1) for MNIST.');
      for (const d of shape.slice(1)) {
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
          throw new ShapeError(`Input shape ${formatShape(shape as Shape)} must contain whole numbers of at least 1.`);
        }
      }
      return [null, ...(shape.slice(1) as number[])];
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'Dense',
    category: 'Core',
    summary: 'Every input connected to every unit: y = activation(x·W + b).',
    params: [
      { key: 'units', label: 'Units', kind: 'int', default: 32, min: 1 },
      activationParam('relu'),
      { key: 'use_bias', label: 'Use bias', kind: 'bool', default: true },
    ],
    arity: 1,
    outputShape(inputs, config) {
      const x = one(inputs, 'Dense');
      if (x.length < 2) throw new ShapeError(`Dense needs an input with features; it gets ${formatShape(x)}.`);
      requireKnown(x[x.length - 1]!, 'number of input features', 'Dense');
      return [...x.slice(0, -1), positiveInt(config, 'units', 'Dense', 32)];
    },
    paramCount(inputs, config) {
      const x = one(inputs, 'Dense');
      const fin = x[x.length - 1] ?? 0;
      const units = num(config, 'units', 32);
      return { trainable: fin * units + (bool(config, 'use_bias', true) ? units : 0), nonTrainable: 0 };
    },
  },
  {
    className: 'Conv2D',
    category: 'Convolution',
    summary: 'Slides small learned filters over an image; each filter makes one feature map.',
    params: [
      { key: 'filters', label: 'Filters', kind: 'int', default: 8, min: 1 },
      { key: 'kernel_size', label: 'Kernel size', kind: 'pair', default: [3, 3], min: 1 },
      { key: 'strides', label: 'Strides', kind: 'pair', default: [1, 1], min: 1 },
      { key: 'padding', label: 'Padding', kind: 'enum', default: 'valid', options: PADDINGS },
      { key: 'dilation_rate', label: 'Dilation', kind: 'pair', default: [1, 1], min: 1 },
      activationParam('relu'),
      { key: 'use_bias', label: 'Use bias', kind: 'bool', default: true },
    ],
    arity: 1,
    outputShape(inputs, config) {
      const x = one(inputs, 'Conv2D');
      requireRank(x, 4, 'Conv2D', x.length === 2 ? 'Add a Reshape or remove the Flatten above it.' : 'Add a Reshape above it.');
      const filters = positiveInt(config, 'filters', 'Conv2D', 8);
      const strides = pair(config, 'strides', [1, 1]);
      const dil = pair(config, 'dilation_rate', [1, 1]);
      if ((strides[0] > 1 || strides[1] > 1) && (dil[0] > 1 || dil[1] > 1)) {
        throw new ShapeError('Conv2D cannot use strides and dilation above 1 together.');
      }
      const [h, w] = spatialOutput('Conv2D', x, pair(config, 'kernel_size', [3, 3]), strides, String(config['padding'] ?? 'valid'), dil, 'kernel');
      return [null, h, w, filters];
    },
    paramCount(inputs, config) {
      const x = one(inputs, 'Conv2D');
      const [kh, kw] = pair(config, 'kernel_size', [3, 3]);
      const cin = x[3] ?? 0;
      const filters = num(config, 'filters', 8);
      return { trainable: kh * kw * cin * filters + (bool(config, 'use_bias', true) ? filters : 0), nonTrainable: 0 };
    },
  },
  {
    className: 'Conv1D',
    category: 'Convolution',
    summary: 'Slides learned filters along a sequence (time series, text embeddings).',
    params: [
      { key: 'filters', label: 'Filters', kind: 'int', default: 8, min: 1 },
      { key: 'kernel_size', label: 'Kernel size', kind: 'int', default: 3, min: 1 },
      { key: 'strides', label: 'Stride', kind: 'int', default: 1, min: 1 },
      { key: 'padding', label: 'Padding', kind: 'enum', default: 'valid', options: PADDINGS },
      { key: 'dilation_rate', label: 'Dilation', kind: 'int', default: 1, min: 1 },
      activationParam('relu'),
      { key: 'use_bias', label: 'Use bias', kind: 'bool', default: true },
    ],
    arity: 1,
    outputShape(inputs, config) {
      const x = one(inputs, 'Conv1D');
      requireRank(x, 3, 'Conv1D', 'Add a Reshape above it.');
      const k = single(config, 'kernel_size', 3);
      const len = convOutputLength(x[1]!, k, String(config['padding'] ?? 'valid'), single(config, 'strides', 1), single(config, 'dilation_rate', 1));
      if (len !== null && len < 1) throw new ShapeError(`Conv1D's kernel ${k} is longer than its input sequence ${x[1]}.`);
      return [null, len, positiveInt(config, 'filters', 'Conv1D', 8)];
    },
    paramCount(inputs, config) {
      const x = one(inputs, 'Conv1D');
      const filters = num(config, 'filters', 8);
      return { trainable: single(config, 'kernel_size', 3) * (x[2] ?? 0) * filters + (bool(config, 'use_bias', true) ? filters : 0), nonTrainable: 0 };
    },
  },
  ...(['MaxPooling2D', 'AveragePooling2D'] as const).map(
    (className): LayerDefinition => ({
      className,
      category: 'Pooling',
      summary:
        className === 'MaxPooling2D'
          ? 'Keeps the strongest value in each window: halves the image, keeps the features.'
          : 'Averages each window: a smoother way to shrink the image.',
      params: [
        { key: 'pool_size', label: 'Pool size', kind: 'pair', default: [2, 2], min: 1 },
        { key: 'strides', label: 'Strides (empty = pool size)', kind: 'pair', default: [2, 2], min: 1 },
        { key: 'padding', label: 'Padding', kind: 'enum', default: 'valid', options: PADDINGS },
      ],
      arity: 1,
      outputShape(inputs, config) {
        const x = one(inputs, className);
        requireRank(x, 4, className, x.length === 2 ? 'Pooling works on images; remove the Flatten above it.' : 'Add a Reshape above it.');
        const pool = pair(config, 'pool_size', [2, 2]);
        const strides = config['strides'] == null ? pool : pair(config, 'strides', pool);
        const [h, w] = spatialOutput(className, x, pool, strides, String(config['padding'] ?? 'valid'), [1, 1], 'pool size');
        return [null, h, w, x[3]!];
      },
      paramCount: () => NO_PARAMS,
    }),
  ),
  ...(['GlobalAveragePooling2D', 'GlobalMaxPooling2D'] as const).map(
    (className): LayerDefinition => ({
      className,
      category: 'Pooling',
      summary: `${className.startsWith('GlobalAverage') ? 'Averages' : 'Takes the maximum of'} each feature map to one number per channel.`,
      params: [],
      arity: 1,
      outputShape(inputs) {
        const x = one(inputs, className);
        requireRank(x, 4, className, 'Add a Reshape above it.');
        return [null, x[3]!];
      },
      paramCount: () => NO_PARAMS,
    }),
  ),
  {
    className: 'Flatten',
    category: 'Reshaping',
    summary: 'Unrolls an image or feature maps into one long vector for Dense layers.',
    params: [],
    arity: 1,
    outputShape(inputs) {
      const x = one(inputs, 'Flatten');
      if (x.length < 3) throw new ShapeError(`Flatten needs at least 2 dimensions besides the batch; it gets ${formatShape(x)}. It is not needed here.`);
      const rest = x.slice(1);
      return [null, rest.some((d) => d === null) ? null : (rest as number[]).reduce((a, b) => a * b, 1)];
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'Reshape',
    category: 'Reshaping',
    summary: 'Gives the same numbers a new shape, e.g. 784 → 28×28×1.',
    params: [{ key: 'target_shape', label: 'Target shape', kind: 'shape', default: [28, 28, 1], allowUnknown: true }],
    arity: 1,
    outputShape(inputs, config) {
      const x = one(inputs, 'Reshape');
      const target = config['target_shape'];
      if (!Array.isArray(target) || target.length === 0 || !target.every((d) => typeof d === 'number' && Number.isInteger(d) && (d >= 1 || d === -1))) {
        throw new ShapeError('Reshape needs a target shape of whole numbers, e.g. (28, 28, 1); one of them may be -1.');
      }
      const t = target as number[];
      const rest = x.slice(1);
      if (rest.some((d) => d === null)) return [null, ...t.map((d) => (d === -1 ? null : d))];
      const total = (rest as number[]).reduce((a, b) => a * b, 1);
      const unknown = t.filter((d) => d === -1).length;
      if (unknown > 1) throw new ShapeError('Reshape allows at most one -1 in its target shape.');
      const known = t.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      if (unknown === 1) {
        if (total % known !== 0) throw new ShapeError(`Reshape cannot split ${total} values into ${formatShape([null, ...t])}.`);
        return [null, ...t.map((d) => (d === -1 ? total / known : d))];
      }
      if (known !== total) {
        throw new ShapeError(`Reshape to ${formatShape([null, ...t])} needs ${known} values per example; its input ${formatShape(x)} has ${total}.`);
      }
      return [null, ...t];
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'Dropout',
    category: 'Regularization',
    summary: 'Randomly silences a fraction of values while training, so the net cannot rely on any one.',
    params: [{ key: 'rate', label: 'Rate', kind: 'float', default: 0.25, min: 0, max: 0.95 }],
    arity: 1,
    outputShape(inputs, config) {
      const rate = num(config, 'rate', 0.25);
      if (rate < 0 || rate >= 1) throw new ShapeError(`Dropout rate must be from 0 up to (not including) 1; it is ${rate}.`);
      return one(inputs, 'Dropout');
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'BatchNormalization',
    category: 'Normalization',
    summary: 'Re-centres and re-scales each channel over the batch; trains faster and steadier.',
    params: [
      { key: 'momentum', label: 'Momentum', kind: 'float', default: 0.99, min: 0, max: 1 },
      { key: 'epsilon', label: 'Epsilon', kind: 'float', default: 0.001, min: 0 },
      { key: 'center', label: 'Center (beta)', kind: 'bool', default: true },
      { key: 'scale', label: 'Scale (gamma)', kind: 'bool', default: true },
    ],
    arity: 1,
    outputShape(inputs) {
      const x = one(inputs, 'BatchNormalization');
      requireKnown(x[x.length - 1]!, 'number of channels', 'BatchNormalization');
      return x;
    },
    paramCount(inputs, config) {
      const x = one(inputs, 'BatchNormalization');
      const c = x[x.length - 1] ?? 0;
      return { trainable: c * ((bool(config, 'center', true) ? 1 : 0) + (bool(config, 'scale', true) ? 1 : 0)), nonTrainable: 2 * c };
    },
  },
  {
    className: 'Activation',
    category: 'Activation',
    summary: 'Applies a function to every value: relu, sigmoid, tanh, softmax, ….',
    params: [activationParam('relu')],
    arity: 1,
    outputShape: (inputs) => one(inputs, 'Activation'),
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'LSTM',
    category: 'Recurrent',
    summary: 'Reads a sequence step by step, remembering what matters (long short-term memory).',
    params: [
      { key: 'units', label: 'Units', kind: 'int', default: 32, min: 1 },
      activationParam('tanh'),
      { key: 'return_sequences', label: 'Return sequences', kind: 'bool', default: false },
    ],
    arity: 1,
    outputShape(inputs, config) {
      const x = one(inputs, 'LSTM');
      requireRank(x, 3, 'LSTM', 'Add a Reshape to (steps, features) above it.');
      requireKnown(x[2]!, 'number of features per step', 'LSTM');
      const units = positiveInt(config, 'units', 'LSTM', 32);
      return bool(config, 'return_sequences', false) ? [null, x[1]!, units] : [null, units];
    },
    paramCount(inputs, config) {
      const x = one(inputs, 'LSTM');
      const units = num(config, 'units', 32);
      const fin = x[2] ?? 0;
      return { trainable: 4 * (units * (fin + units) + units), nonTrainable: 0 };
    },
  },
  {
    className: 'Add',
    category: 'Merge',
    summary: 'Adds its inputs element by element, e.g. the skip wire of a residual block.',
    params: [],
    arity: 'many',
    outputShape(inputs) {
      if (inputs.length < 2) throw new ShapeError(`Add needs at least two inputs; it has ${inputs.length}. Wire another layer into it.`);
      const first = inputs[0]!;
      for (const s of inputs.slice(1)) {
        if (s.length !== first.length || s.some((d, i) => d !== null && first[i] !== null && d !== first[i])) {
          throw new ShapeError(`Add needs inputs of the same shape; it gets ${inputs.map(formatShape).join(' and ')}.`);
        }
      }
      return first;
    },
    paramCount: () => NO_PARAMS,
  },
  {
    className: 'Concatenate',
    category: 'Merge',
    summary: 'Joins its inputs side by side along the last axis (channels or features).',
    params: [],
    arity: 'many',
    outputShape(inputs) {
      if (inputs.length < 2) throw new ShapeError(`Concatenate needs at least two inputs; it has ${inputs.length}. Wire another layer into it.`);
      const first = inputs[0]!;
      let last: Dim = 0;
      for (const s of inputs) {
        if (s.length !== first.length || s.slice(0, -1).some((d, i) => d !== null && first[i] !== null && d !== first[i])) {
          throw new ShapeError(
            `Concatenate needs inputs that match in every dimension but the last; it gets ${inputs.map(formatShape).join(' and ')}.`,
          );
        }
        const d = s[s.length - 1]!;
        last = last === null || d === null ? null : last + d;
      }
      return [...first.slice(0, -1), last];
    },
    paramCount: () => NO_PARAMS,
  },
];

definitions.push(...MORE_LAYERS);

const byClassName = new Map(definitions.map((d) => [d.className, d]));

export function layerDefinition(className: string): LayerDefinition | undefined {
  return byClassName.get(className);
}

export function allLayerDefinitions(): readonly LayerDefinition[] {
  return definitions;
}

/** The config a new layer of this class starts with: every parameter at its default. */
export function defaultConfig(className: string): LayerConfig {
  const def = byClassName.get(className);
  if (!def) throw new Error(`Unknown layer type "${className}".`);
  const config: LayerConfig = {};
  for (const p of def.params) config[p.key] = p.kind === 'shape' && p.key === 'batch_input_shape' ? [null, ...p.default] : p.default;
  return config;
}
