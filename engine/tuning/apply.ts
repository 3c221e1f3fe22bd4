// Applies a sampled configuration to a Keras-format topology and training settings.
//   lr | learningRate      settings.learningRate
//   batch | batchSize      settings.batchSize
//   epochs                 settings.epochs
//   optimizer              settings.optimizer (adam | sgd | rmsprop)
//   dropout                `rate` of every Dropout layer; a Sequential model with none gets one after
//                          each hidden Dense / Conv / Flatten-free stage (named dropout_tuned_N)
//   dropout.NAME | rate.NAME   `rate` of the Dropout layer NAME
//   l2                     kernel_regularizer L1L2(l1 0, l2 X) on every Dense / Conv layer
//   l2.NAME                the same on layer NAME
//   units.NAME | filters.NAME  `units` / `filters` of layer NAME
import type { KerasLayer, ModelTopology } from '../../common/model/keras-format';
import { OPTIMIZERS, type OptimizerName, type TrainingSettings } from '../../common/ipc/contract';
import { SpaceError, type Params, type SearchSpace } from './space';

const WEIGHTED = ['Dense', 'Conv2D', 'Conv1D'];

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

function layerName(l: KerasLayer): string {
  return String(l.config.name ?? l.name ?? '');
}

function findLayer(topology: ModelTopology, name: string, param: string): KerasLayer {
  const layer = topology.config.layers.find((l) => layerName(l) === name);
  if (!layer) throw new SpaceError(`${param}: the model has no layer named "${name}" (layers: ${topology.config.layers.map(layerName).join(', ')}).`);
  return layer;
}

function l2Regularizer(value: number) {
  return { class_name: 'L1L2', config: { l1: 0, l2: value } };
}

/** Inserts Dropout layers after every hidden weighted layer of a Sequential model that has none. */
function insertDropout(topology: ModelTopology, rate: number): void {
  if (topology.class_name !== 'Sequential') throw new SpaceError('dropout: the model has no Dropout layer to tune (and one can only be added automatically to a Sequential model).');
  const layers = topology.config.layers;
  const lastWeighted = layers.map((l) => WEIGHTED.includes(l.class_name)).lastIndexOf(true);
  const out: KerasLayer[] = [];
  let n = 0;
  layers.forEach((l, i) => {
    out.push(l);
    if (WEIGHTED.includes(l.class_name) && l.class_name === 'Dense' && i < lastWeighted) {
      out.push({ class_name: 'Dropout', config: { name: `dropout_tuned_${++n}`, rate } });
    }
  });
  if (n === 0) throw new SpaceError('dropout: the model has no Dropout layer and no hidden Dense layer to put one after.');
  topology.config.layers = out;
}

export interface AppliedConfig {
  topology: ModelTopology;
  settings: TrainingSettings;
}

/** Returns new topology and settings with `params` applied; the inputs are left untouched. */
export function applyParams(topology: ModelTopology, settings: TrainingSettings, params: Params): AppliedConfig {
  const t = clone(topology);
  const s: TrainingSettings = { ...settings };
  for (const [name, value] of Object.entries(params)) {
    const num = Number(value);
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    const target = dot < 0 ? null : name.slice(dot + 1);
    switch (head) {
      case 'lr':
      case 'learningRate':
        s.learningRate = num;
        break;
      case 'batch':
      case 'batchSize':
        s.batchSize = Math.max(1, Math.round(num));
        break;
      case 'epochs':
        s.epochs = Math.max(1, Math.round(num));
        break;
      case 'optimizer':
        if (!(OPTIMIZERS as readonly string[]).includes(String(value))) throw new SpaceError(`optimizer: "${value}" is not one of ${OPTIMIZERS.join(', ')}.`);
        s.optimizer = value as OptimizerName;
        break;
      case 'dropout':
      case 'rate':
        if (target) {
          const layer = findLayer(t, target, name);
          if (layer.class_name !== 'Dropout') throw new SpaceError(`${name}: layer "${target}" is a ${layer.class_name}, not a Dropout layer.`);
          layer.config['rate'] = num;
        } else {
          const drops = t.config.layers.filter((l) => l.class_name === 'Dropout');
          if (drops.length === 0) insertDropout(t, num);
          else for (const l of drops) l.config['rate'] = num;
        }
        break;
      case 'l2': {
        const layers = target ? [findLayer(t, target, name)] : t.config.layers.filter((l) => WEIGHTED.includes(l.class_name));
        for (const l of layers) {
          if (!WEIGHTED.includes(l.class_name)) throw new SpaceError(`${name}: layer "${target}" (${l.class_name}) has no kernel to regularise.`);
          l.config['kernel_regularizer'] = l2Regularizer(num);
        }
        break;
      }
      case 'units':
      case 'filters': {
        if (!target) throw new SpaceError(`${name}: name the layer, e.g. ${head}.dense_1.`);
        const layer = findLayer(t, target, name);
        if (!(head in layer.config) && !(head === 'units' ? ['Dense', 'LSTM'] : ['Conv2D', 'Conv1D']).includes(layer.class_name)) {
          throw new SpaceError(`${name}: layer "${target}" (${layer.class_name}) has no ${head}.`);
        }
        layer.config[head] = Math.max(1, Math.round(num));
        break;
      }
      default:
        throw new SpaceError(`Unknown parameter "${name}". Use lr, batch, epochs, optimizer, dropout[.LAYER], l2[.LAYER], units.LAYER or filters.LAYER.`);
    }
  }
  return { topology: t, settings: s };
}

/** Checks every name of a space against the model before any training starts. */
/**
 * The values a parameter may take, by its name's kind: what training accepts (a learning rate
 * above 0, a dropout rate below 1, whole units, filters, batches and epochs) within sane sizes. A
 * search reaching outside them would only produce failed trials, or a "best" that cannot be applied.
 */
const PARAM_BOUNDS: [RegExp, string, number, number, boolean][] = [
  [/^(lr|learningRate)$/, 'a learning rate', Number.MIN_VALUE, 10, false],
  [/^(batch|batchSize)$/, 'a batch size', 1, 4096, true],
  [/^epochs$/, 'a number of epochs', 1, 10_000, true],
  [/^(dropout|rate)(\.|$)/, 'a dropout rate', 0, 0.95, false],
  [/^l2(\.|$)/, 'an L2 factor', 0, 1, false],
  [/^(units|filters)\./, 'a layer size', 1, 4096, true],
];

function checkBounds(name: string, d: SearchSpace[string]): void {
  const b = PARAM_BOUNDS.find(([re]) => re.test(name));
  if (!b) return;
  const [, what, lo, hi, whole] = b;
  const values = d.type === 'categorical' ? d.choices : [d.low, d.high];
  for (const v of values) {
    if (typeof v !== 'number' || !(v >= lo && v <= hi) || (whole && !Number.isInteger(v))) {
      throw new SpaceError(`${name}: ${JSON.stringify(v)} is not ${what} Glasswing trains with (${whole ? 'a whole number ' : ''}from ${lo === Number.MIN_VALUE ? 'above 0' : lo} to ${hi}).`);
    }
  }
}

export function checkSpace(topology: ModelTopology, settings: TrainingSettings, space: SearchSpace): void {
  for (const [name, d] of Object.entries(space)) checkBounds(name, d);
  const params: Params = {};
  for (const [name, d] of Object.entries(space)) params[name] = d.type === 'categorical' ? d.choices[0]! : d.low;
  applyParams(topology, settings, params);
}

/** The default space for a model: learning rate (log), dropout and L2 (log). */
export function defaultSpace(): SearchSpace {
  return {
    lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
    dropout: { type: 'float', low: 0, high: 0.5 },
    l2: { type: 'float', low: 1e-6, high: 1e-2, log: true },
  };
}
