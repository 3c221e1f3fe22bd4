// Keras model configs (Keras 3's config.json and Keras 2's model_config attribute) → the Keras 2
// JSON that TF.js layers reads. Keras 3 wraps every object as {module, class_name, config,
// registered_name}, stores dtypes as DTypePolicy objects, names the input shape `batch_shape`, and
// writes functional inbound nodes as {args: [...], kwargs: {...}} holding __keras_tensor__
// objects whose keras_history names the source layer. Layers TF.js cannot compute the same way
// are refused with the layer's name and class.
import type { KerasLayer, ModelTopology } from '../../common/model/keras-format';
import { graphFromTopology, topologyFromGraph, TopologyError, type LayerGraph } from '../../common/model/graph';
import { ModelImportError, UnsupportedModelError, type UnsupportedItem } from './errors';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keras layer classes that TF.js 4.22 builds with the same meaning and weights. */
export const KERAS_LAYERS = new Set([
  'InputLayer', 'Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'DepthwiseConv2D', 'SeparableConv2D',
  'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'Flatten', 'Reshape', 'Permute', 'RepeatVector', 'Dropout', 'SpatialDropout1D',
  'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'BatchNormalization', 'LayerNormalization', 'Activation', 'ReLU', 'LeakyReLU',
  'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'Add', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot',
  'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'Rescaling', 'Embedding', 'LSTM', 'GRU', 'SimpleRNN', 'Masking',
]);

/** Activation names as TF.js knows them (snake_case; TF.js camel-cases them itself). */
const ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'hard_sigmoid', 'log_softmax', 'mish']);

const INITIALIZERS = new Set(['Zeros', 'Ones', 'Constant', 'RandomUniform', 'RandomNormal', 'TruncatedNormal', 'Identity', 'VarianceScaling', 'GlorotUniform', 'GlorotNormal', 'HeNormal', 'HeUniform', 'LeCunNormal', 'LeCunUniform', 'Orthogonal']);
const CONSTRAINTS = new Set(['MaxNorm', 'MinMaxNorm', 'NonNeg', 'UnitNorm']);

/** Keys Keras 3 writes that TF.js has no use for. */
const DROP_KEYS = ['synchronized', 'quantization_config', 'lora_rank', 'lora_alpha', 'lora_enabled', 'sparse', 'ragged', 'optional', 'input_tensor', 'keepdims', 'groups', 'autocast'];

export interface KerasConfigResult {
  topology: ModelTopology;
  graph: LayerGraph;
  /** The first layer after the input when it is a Rescaling: the model scales pixels itself. */
  leadingRescaling: { scale: number; offset: number } | null;
  notes: string[];
}

class LayerIssue extends Error {}

/** Unwraps Keras 3's {module, class_name, config, registered_name} objects, keeping class_name + config. */
function plain(v: unknown): Obj | null {
  if (!isObj(v)) return null;
  return { class_name: v['class_name'], config: isObj(v['config']) ? v['config'] : {} };
}

function activationName(v: unknown, keras3: boolean): string {
  let name = v;
  if (isObj(v)) name = typeof v['config'] === 'string' ? v['config'] : isObj(v['config']) && typeof v['config']['name'] === 'string' ? v['config']['name'] : v['class_name'];
  if (name === null || name === undefined) return 'linear';
  const s = String(name);
  if (s === 'silu') return 'swish';
  // Keras 3 redefined hard_sigmoid as relu6(x + 3) / 6; TF.js computes Keras 2's 0.2·x + 0.5.
  if (s === 'hard_sigmoid' && keras3) throw new LayerIssue('the Keras 3 hard_sigmoid activation (relu6(x + 3) / 6) differs from the one TF.js computes');
  if (!ACTIVATIONS.has(s)) throw new LayerIssue(`the activation "${s}" is not one TF.js computes`);
  return s;
}

function mapObjects(config: Obj, notes: Set<string>): void {
  for (const [key, value] of Object.entries(config)) {
    if (key.endsWith('_initializer')) {
      const p = plain(value);
      if (p && INITIALIZERS.has(String(p['class_name']))) config[key] = p;
      else delete config[key]; // only new weights use initialisers; the file's weights are loaded
    } else if (key.endsWith('_regularizer')) {
      const p = plain(value);
      if (!p) continue;
      const c = p['config'] as Obj;
      if (p['class_name'] === 'L2' || p['class_name'] === 'L1' || p['class_name'] === 'L1L2') {
        config[key] = { class_name: 'L1L2', config: { l1: Number(c['l1'] ?? 0), l2: Number(c['l2'] ?? 0) } };
      } else {
        delete config[key];
        notes.add(`The ${p['class_name']} regularizer was left out (TF.js has no such regularizer); it only matters for further training.`);
      }
    } else if (key.endsWith('_constraint')) {
      const p = plain(value);
      if (p && CONSTRAINTS.has(String(p['class_name']))) config[key] = p;
      else if (p) {
        delete config[key];
        notes.add(`The ${p['class_name']} constraint was left out; it only matters for further training.`);
      }
    }
  }
}

function mapLayerConfig(className: string, raw: Obj, keras3: boolean, notes: Set<string>): { className: string; config: Obj } {
  const config: Obj = { ...raw };
  for (const k of DROP_KEYS) {
    if (k === 'groups' && config[k] !== undefined && config[k] !== 1) throw new LayerIssue(`grouped convolution (groups=${config[k]})`);
    if (k === 'keepdims' && config[k] === true) throw new LayerIssue('keepdims=True (TF.js global pooling drops the spatial axes)');
    delete config[k];
  }
  if (isObj(config['dtype'])) {
    const policy = String((config['dtype']['config'] as Obj | undefined)?.['name'] ?? 'float32');
    if (policy !== 'float32') notes.add(`The model's dtype policy "${policy}" became float32.`);
    config['dtype'] = 'float32';
  }
  if (config['data_format'] === 'channels_first') throw new LayerIssue('channels_first data format (Glasswing computes channels-last)');
  if (config['activation'] !== undefined) config['activation'] = activationName(config['activation'], keras3);
  if (config['recurrent_activation'] !== undefined) config['recurrent_activation'] = activationName(config['recurrent_activation'], keras3);
  mapObjects(config, notes);
  switch (className) {
    case 'InputLayer': {
      const shape = config['batch_shape'] ?? config['batch_input_shape'] ?? (Array.isArray(config['shape']) ? [null, ...(config['shape'] as unknown[])] : undefined);
      if (!Array.isArray(shape)) throw new LayerIssue('an input layer without a shape');
      delete config['batch_shape'];
      delete config['shape'];
      config['batch_input_shape'] = shape;
      break;
    }
    case 'BatchNormalization': {
      const axis = config['axis'];
      if (Array.isArray(axis)) {
        if (axis.length !== 1) throw new LayerIssue('normalisation over several axes');
        config['axis'] = axis[0];
      }
      break;
    }
    case 'ReLU': {
      const slope = Number(config['negative_slope'] ?? 0);
      const threshold = Number(config['threshold'] ?? 0);
      delete config['negative_slope'];
      delete config['threshold'];
      if (threshold !== 0) throw new LayerIssue('ReLU with a threshold');
      if (slope !== 0) {
        if (config['max_value'] != null) throw new LayerIssue('ReLU with both negative_slope and max_value');
        delete config['max_value'];
        config['alpha'] = slope;
        return { className: 'LeakyReLU', config };
      }
      break;
    }
    case 'LeakyReLU':
      if (config['negative_slope'] !== undefined) {
        config['alpha'] = config['negative_slope'];
        delete config['negative_slope'];
      }
      break;
    case 'Rescaling':
      if (typeof config['scale'] !== 'number' || (config['offset'] !== undefined && typeof config['offset'] !== 'number')) throw new LayerIssue('Rescaling by per-channel values');
      break;
    case 'Softmax':
      if (Array.isArray(config['axis'])) config['axis'] = (config['axis'] as number[])[0];
      break;
    case 'UpSampling2D':
      if (config['interpolation'] && !['nearest', 'bilinear'].includes(String(config['interpolation']))) throw new LayerIssue(`${config['interpolation']} interpolation`);
      break;
  }
  return { className, config };
}

/** Source layer names of one Keras 3 inbound node ({args, kwargs}) or Keras 2 node ([[name, 0, 0, {}], …]). */
function inboundNames(node: unknown): string[] {
  if (Array.isArray(node)) return node.map((e) => (Array.isArray(e) ? String(e[0]) : String(e)));
  if (!isObj(node)) return [];
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) {
      if (v['class_name'] === '__keras_tensor__' && isObj(v['config'])) {
        const history = v['config']['keras_history'];
        if (Array.isArray(history)) names.push(String(history[0]));
      } else Object.values(v).forEach(walk);
    }
  };
  walk(node['args']);
  walk(node['kwargs']);
  return names;
}

function ioLayers(v: unknown): [string, number, number][] {
  if (!Array.isArray(v)) return [];
  if (v.length === 3 && typeof v[0] === 'string') return [[v[0], 0, 0]]; // Keras 3, one tensor
  return v.filter(Array.isArray).map((e) => [String(e[0]), 0, 0]);
}

/**
 * Maps a Keras model config to a TF.js topology. `keras3` selects the Keras 3 reading of the
 * few things that changed meaning. Unknown or custom layers end in one UnsupportedModelError
 * listing every such layer.
 */
export function kerasTopology(model: unknown, file: string, keras3: boolean): KerasConfigResult {
  if (!isObj(model) || !isObj(model['config'])) throw new ModelImportError(`${file}: the model config has no "config" object.`);
  const topClass = String(model['class_name']);
  if (topClass !== 'Sequential' && topClass !== 'Functional' && topClass !== 'Model') {
    throw new UnsupportedModelError(`${file}: the model is a subclassed "${topClass}" (model class with a custom call); save a Sequential or functional model.`, [
      { index: -1, name: String(model['config']['name'] ?? topClass), type: topClass, message: `model class "${topClass}" is not supported` },
    ]);
  }
  const layersRaw = model['config']['layers'];
  if (!Array.isArray(layersRaw)) throw new ModelImportError(`${file}: the model config has no layer list.`);
  const notes = new Set<string>();
  const unsupported: UnsupportedItem[] = [];
  const layers: KerasLayer[] = [];
  layersRaw.forEach((raw, index) => {
    if (!isObj(raw)) return;
    const className = String(raw['class_name']);
    const cfg = isObj(raw['config']) ? raw['config'] : {};
    const name = String(raw['name'] ?? cfg['name'] ?? `layer ${index}`);
    const registered = raw['registered_name'];
    const module = typeof raw['module'] === 'string' ? raw['module'] : null;
    const custom = (typeof registered === 'string' && registered !== className && registered.includes('>')) || (module !== null && !module.startsWith('keras'));
    const fail = (why: string) => unsupported.push({ index, name, type: className, message: `layer ${index} "${name}" (${className}${typeof registered === 'string' && registered !== className ? `, registered as ${registered}` : ''}) is not supported: ${why}` });
    if (custom) return fail('it is a custom layer; Glasswing can only rebuild built-in Keras layers');
    if (className === 'Functional' || className === 'Sequential' || className === 'Model') return fail('nested models are not imported yet; save the inner model on its own');
    if (!KERAS_LAYERS.has(className)) return fail('TF.js has no such layer');
    if (topClass !== 'Sequential' && Array.isArray(raw['inbound_nodes']) && raw['inbound_nodes'].length > 1) return fail('the layer is shared (called more than once)');
    try {
      const mapped = mapLayerConfig(className, { ...cfg, name }, keras3, notes);
      const layer: KerasLayer = { class_name: mapped.className, config: mapped.config as KerasLayer['config'] };
      if (topClass !== 'Sequential') {
        layer.name = name;
        const node = Array.isArray(raw['inbound_nodes']) ? raw['inbound_nodes'][0] : undefined;
        const sources = node === undefined ? [] : inboundNames(node);
        layer.inbound_nodes = sources.length ? [sources.map((s) => [s, 0, 0, {}])] : [];
      }
      layers.push(layer);
    } catch (e) {
      if (!(e instanceof LayerIssue)) throw e;
      fail(e.message);
    }
  });
  if (unsupported.length) {
    throw new UnsupportedModelError(`${file}: ${unsupported.map((u) => u.message).join('; ')}.`, unsupported);
  }
  const name = String(model['config']['name'] ?? 'imported');
  const keras2: ModelTopology =
    topClass === 'Sequential'
      ? { class_name: 'Sequential', config: { name, layers } }
      : { class_name: 'Model', config: { name, layers, input_layers: ioLayers(model['config']['input_layers']), output_layers: ioLayers(model['config']['output_layers']) } };
  let graph: LayerGraph;
  try {
    graph = graphFromTopology(keras2);
  } catch (e) {
    if (e instanceof TopologyError) throw new ModelImportError(`${file}: ${e.message}`);
    throw e;
  }
  if (graph.layers.filter((l) => l.className === 'InputLayer').length !== 1) throw new ModelImportError(`${file}: the model has ${graph.layers.filter((l) => l.className === 'InputLayer').length} inputs; Glasswing imports models with one input.`);
  const input = graph.layers.find((l) => l.className === 'InputLayer')!;
  const consumers = graph.layers.filter((l) => l.inbound.includes(input.name));
  const first = consumers.length === 1 && consumers[0]!.className === 'Rescaling' ? consumers[0]! : null;
  return {
    topology: topologyFromGraph(graph),
    graph,
    leadingRescaling: first ? { scale: Number(first.config['scale']), offset: Number(first.config['offset'] ?? 0) } : null,
    notes: [...notes],
  };
}
