// The models the training bench times, each mirrored layer for layer in pytorch_bench.py (same name).
// The default set covers the templates and one model per shape class the kernels are tuned for
// (LeNet-size, CIFAR-size, MobileNet-size); the `extra` ones are other CNNs of the CIFAR size class
// (5×5 kernels, strided convolutions, global average pooling, 48×48 and 64×64 inputs), to check
// that speed comes from general kernels rather than from the benchmarked shapes.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import { adaptTemplate, getTemplate } from '../../common/model/templates';
import { loadMobileNet } from '../transfer/backbones';

export interface BenchModelSpec {
  id: string;
  description: string;
  /** One example's shape. */
  inputShape: number[];
  classes: number;
  /** The batch this model is timed at (training and inference). */
  batchSize: number;
  /** False for feature extractors timed on inference only. */
  train: boolean;
  /** Not part of the default set. */
  extra?: boolean;
  build(): Promise<tfl.LayersModel>;
}

const fromTemplate = (id: string, inputShape: number[], classes: number) => async (): Promise<tfl.LayersModel> =>
  tfl.models.modelFromJSON({ modelTopology: adaptTemplate(getTemplate(id), { inputShape, task: 'classification', outputs: classes }) as unknown as tf.io.ModelJSON['modelTopology'] });

/** batchNorm: no bias, a batch normalization before the relu. */
type ConvSpec = { filters: number; kernel: number; stride?: number; padding?: 'same' | 'valid'; batchNorm?: boolean };
type Stage = ConvSpec | 'pool' | 'gap' | 'flatten' | { dense: number } | { dropout: number };

/** A sequential CNN: convolutions (relu), 2×2 max-pools, dropout, flatten or global average pooling, dense (relu), softmax. */
function cnn(inputShape: number[], stages: Stage[], classes: number) {
  return async (): Promise<tfl.LayersModel> => {
    const m = tfl.sequential();
    let first = true;
    const input = () => (first ? ((first = false), { inputShape }) : {});
    for (const s of stages) {
      if (s === 'pool') m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, ...input() }));
      else if (s === 'gap') m.add(tfl.layers.globalAveragePooling2d({ ...input() }));
      else if (s === 'flatten') m.add(tfl.layers.flatten({ ...input() }));
      else if ('dense' in s) m.add(tfl.layers.dense({ units: s.dense, activation: 'relu', ...input() }));
      else if ('dropout' in s) m.add(tfl.layers.dropout({ rate: s.dropout, ...input() }));
      else if (s.batchNorm) {
        m.add(tfl.layers.conv2d({ filters: s.filters, kernelSize: s.kernel, strides: s.stride ?? 1, padding: s.padding ?? 'same', useBias: false, ...input() }));
        m.add(tfl.layers.batchNormalization({}));
        m.add(tfl.layers.activation({ activation: 'relu' }));
      } else m.add(tfl.layers.conv2d({ filters: s.filters, kernelSize: s.kernel, strides: s.stride ?? 1, padding: s.padding ?? 'same', activation: 'relu', ...input() }));
    }
    m.add(tfl.layers.dense({ units: classes, activation: 'softmax' }));
    return m;
  };
}

/** LeNet-5 as LeCun built it: tanh activations and average pooling (28×28×1, 'same' first convolution). */
async function lenet5Classic(): Promise<tfl.LayersModel> {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'tanh' }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten({}));
  m.add(tfl.layers.dense({ units: 120, activation: 'tanh' }));
  m.add(tfl.layers.dense({ units: 84, activation: 'tanh' }));
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

/** LeakyReLU layers, overlapping 3×3 stride-2 max pooling and global max pooling on 48×48×3. */
async function leakyGlobalMax(): Promise<tfl.LayersModel> {
  const m = tfl.sequential();
  const conv = (filters: number, first = false) => {
    m.add(tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', ...(first ? { inputShape: [48, 48, 3] } : {}) }));
    m.add(tfl.layers.leakyReLU({ alpha: 0.1 }));
  };
  conv(32, true);
  m.add(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
  conv(64);
  m.add(tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
  conv(128);
  m.add(tfl.layers.globalMaxPooling2d({}));
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

/** MobileNetV2 as bundled (blocks 0–10, to block_10_project_BN) at 224×224, averaged over space. */
async function mobilenetFeatures(): Promise<tfl.LayersModel> {
  const backbone = await loadMobileNet(224);
  const out = tfl.layers.globalAveragePooling2d({ name: 'bench_pool' }).apply(backbone.model.outputs[0]!) as tfl.SymbolicTensor;
  return tfl.model({ inputs: backbone.model.inputs, outputs: out });
}

export const BENCH_MODEL_SPECS: BenchModelSpec[] = [
  { id: 'lenet5', description: 'LeNet-5, 28×28×1', inputShape: [28, 28, 1], classes: 10, batchSize: 64, train: true, build: fromTemplate('lenet5', [28, 28, 1], 10) },
  { id: 'mnist-mlp', description: 'MLP 784-256-10', inputShape: [784], classes: 10, batchSize: 64, train: true, build: fromTemplate('mnist-mlp', [784], 10) },
  { id: 'iris-mlp', description: 'MLP 4-12-8-3', inputShape: [4], classes: 3, batchSize: 64, train: true, extra: true, build: fromTemplate('iris-mlp', [4], 3) },
  {
    id: 'cifar-cnn', description: 'Keras CIFAR CNN: conv32-conv32-pool-conv64-conv64-pool-dense512, 3×3 same, 32×32×3',
    inputShape: [32, 32, 3], classes: 10, batchSize: 32, train: true,
    build: cnn([32, 32, 3], [{ filters: 32, kernel: 3 }, { filters: 32, kernel: 3 }, 'pool', { filters: 64, kernel: 3 }, { filters: 64, kernel: 3 }, 'pool', 'flatten', { dense: 512 }], 10),
  },
  { id: 'residual-cnn', description: "the 'residual-cnn' template at 32×32×3", inputShape: [32, 32, 3], classes: 10, batchSize: 32, train: true, build: fromTemplate('residual-cnn', [32, 32, 3], 10) },
  { id: 'mobilenet-v2', description: 'MobileNetV2 features (bundled blocks 0–10) at 224×224×3, inference', inputShape: [224, 224, 3], classes: 0, batchSize: 32, train: false, build: mobilenetFeatures },
  {
    id: 'cnn-5x5-48', description: '5×5 convolutions on 48×48×3: conv32-pool-conv64-pool-conv64-pool-dense256', extra: true,
    inputShape: [48, 48, 3], classes: 10, batchSize: 32, train: true,
    build: cnn([48, 48, 3], [{ filters: 32, kernel: 5 }, 'pool', { filters: 64, kernel: 5 }, 'pool', { filters: 64, kernel: 5 }, 'pool', 'flatten', { dense: 256 }], 10),
  },
  {
    id: 'cnn-strided-64', description: 'all-convolutional on 64×64×3: strided 3×3 convolutions (32s2-32-64s2-64-128s2-128), global average pooling', extra: true,
    inputShape: [64, 64, 3], classes: 10, batchSize: 32, train: true,
    build: cnn([64, 64, 3], [{ filters: 32, kernel: 3, stride: 2 }, { filters: 32, kernel: 3 }, { filters: 64, kernel: 3, stride: 2 }, { filters: 64, kernel: 3 },
      { filters: 128, kernel: 3, stride: 2 }, { filters: 128, kernel: 3 }, 'gap'], 10),
  },
  {
    id: 'cnn-strided-48', description: 'all-convolutional on 48×48×3: three strided 3×3 convolutions (32s2-64s2-128s2: 24×24, 12×12 and 6×6 outputs), global average pooling', extra: true,
    inputShape: [48, 48, 3], classes: 10, batchSize: 32, train: true,
    build: cnn([48, 48, 3], [{ filters: 32, kernel: 3, stride: 2 }, { filters: 64, kernel: 3, stride: 2 }, { filters: 128, kernel: 3, stride: 2 }, 'gap'], 10),
  },
  {
    id: 'cnn-5x5s2-64', description: 'all-convolutional on 64×64×3 with 5×5 stride-2 convolutions (32s2-64s2-128s2), global average pooling', extra: true,
    inputShape: [64, 64, 3], classes: 10, batchSize: 32, train: true,
    build: cnn([64, 64, 3], [{ filters: 32, kernel: 5, stride: 2 }, { filters: 64, kernel: 5, stride: 2 }, { filters: 128, kernel: 5, stride: 2 }, 'gap'], 10),
  },
  {
    id: 'cifar-cnn-bn', description: 'the CIFAR CNN with batch normalization (convolutions without bias) and dropout 0.25/0.25/0.5, 32×32×3', extra: true,
    inputShape: [32, 32, 3], classes: 10, batchSize: 32, train: true,
    build: cnn([32, 32, 3], [{ filters: 32, kernel: 3, batchNorm: true }, { filters: 32, kernel: 3, batchNorm: true }, 'pool', { dropout: 0.25 },
      { filters: 64, kernel: 3, batchNorm: true }, { filters: 64, kernel: 3, batchNorm: true }, 'pool', { dropout: 0.25 }, 'flatten', { dense: 512 }, { dropout: 0.5 }], 10),
  },
  { id: 'lenet5-classic', description: 'LeNet-5 with tanh and average pooling, 28×28×1', extra: true, inputShape: [28, 28, 1], classes: 10, batchSize: 64, train: true, build: lenet5Classic },
  {
    id: 'cnn-leaky-gmp-48', description: 'LeakyReLU, 3×3 stride-2 max pooling, global max pooling: conv32-pool-conv64-pool-conv128-gmp, 48×48×3', extra: true,
    inputShape: [48, 48, 3], classes: 10, batchSize: 32, train: true, build: leakyGlobalMax,
  },
  {
    id: 'cnn-7x7-64', description: "7×7 'same' convolutions on 64×64×3: conv32-pool-conv64-pool-conv64-pool, global average pooling", extra: true,
    inputShape: [64, 64, 3], classes: 10, batchSize: 32, train: true,
    build: cnn([64, 64, 3], [{ filters: 32, kernel: 7 }, 'pool', { filters: 64, kernel: 7 }, 'pool', { filters: 64, kernel: 7 }, 'pool', 'gap'], 10),
  },
  {
    id: 'cnn-valid-48', description: "VGG-like on 48×48×3 with 'valid' 3×3 convolutions: conv32-conv32-pool-conv64-conv64-pool-gap-dense128", extra: true,
    inputShape: [48, 48, 3], classes: 10, batchSize: 32, train: true,
    build: cnn([48, 48, 3], [{ filters: 32, kernel: 3, padding: 'valid' }, { filters: 32, kernel: 3, padding: 'valid' }, 'pool', { filters: 64, kernel: 3, padding: 'valid' },
      { filters: 64, kernel: 3, padding: 'valid' }, 'pool', 'gap', { dense: 128 }], 10),
  },
];

export type BenchModel = (typeof BENCH_MODEL_SPECS)[number]['id'];
export const BENCH_MODELS: string[] = BENCH_MODEL_SPECS.map((s) => s.id);
export const DEFAULT_BENCH_MODELS: string[] = BENCH_MODEL_SPECS.filter((s) => !s.extra).map((s) => s.id);

export function benchModel(id: string): BenchModelSpec {
  const s = BENCH_MODEL_SPECS.find((m) => m.id === id);
  if (!s) throw new Error(`Unknown bench model "${id}" (one of ${BENCH_MODELS.join(', ')}).`);
  return s;
}
