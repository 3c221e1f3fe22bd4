// Starting models. Each is plain Keras JSON; `adaptTemplate` fits its input and output to a dataset.
import type { FunctionalTopology, KerasLayer, ModelTopology, SequentialTopology } from './keras-format';
import { BadInputError } from '../bad-input';

export interface TemplateInfo {
  id: string;
  name: string;
  description: string;
  /** The kind of data the template is made for. */
  dataKind: 'table' | 'images';
}

export interface DataShape {
  /** One example's shape, without the batch dimension: [4] for Iris, [28, 28, 1] for MNIST. */
  inputShape: number[];
  task: 'classification' | 'regression';
  /** Number of classes (classification) or 1 (regression). */
  outputs: number;
}

const dense = (name: string, units: number, activation: string, extra: Record<string, unknown> = {}): KerasLayer => ({
  class_name: 'Dense',
  config: { name, units, activation, use_bias: true, ...extra },
});

const conv = (name: string, filters: number, activation: string, inbound: string): KerasLayer => ({
  name,
  class_name: 'Conv2D',
  config: { name, filters, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation, use_bias: true },
  inbound_nodes: [[[inbound, 0, 0, {}]]],
});

const TEMPLATES: { info: TemplateInfo; build: () => ModelTopology }[] = [
  {
    info: { id: 'iris-mlp', name: 'Iris MLP (4-12-8-3)', description: 'A small multilayer perceptron for tables such as Iris: two hidden layers of 12 and 8 units.', dataKind: 'table' },
    build: () => ({
      class_name: 'Sequential',
      config: {
        name: 'iris_mlp',
        layers: [dense('dense_1', 12, 'relu', { batch_input_shape: [null, 4] }), dense('dense_2', 8, 'relu'), dense('dense_3', 3, 'softmax')],
      },
    }),
  },
  {
    info: { id: 'mnist-mlp', name: 'MNIST MLP (784-256-10)', description: 'One wide hidden layer over the 784 pixels of a digit.', dataKind: 'images' },
    build: () => ({
      class_name: 'Sequential',
      config: { name: 'mnist_mlp', layers: [dense('dense_1', 256, 'relu', { batch_input_shape: [null, 784] }), dense('dense_2', 10, 'softmax')] },
    }),
  },
  {
    info: { id: 'lenet5', name: 'LeNet-5', description: "LeCun's classic CNN: two convolution + pooling stages, then three dense layers.", dataKind: 'images' },
    build: () => ({
      class_name: 'Sequential',
      config: {
        name: 'lenet5',
        layers: [
          { class_name: 'Conv2D', config: { name: 'conv2d_1', filters: 6, kernel_size: [5, 5], strides: [1, 1], padding: 'same', activation: 'relu', use_bias: true, batch_input_shape: [null, 28, 28, 1] } },
          { class_name: 'MaxPooling2D', config: { name: 'max_pooling2d_1', pool_size: [2, 2], strides: [2, 2], padding: 'valid' } },
          { class_name: 'Conv2D', config: { name: 'conv2d_2', filters: 16, kernel_size: [5, 5], strides: [1, 1], padding: 'valid', activation: 'relu', use_bias: true } },
          { class_name: 'MaxPooling2D', config: { name: 'max_pooling2d_2', pool_size: [2, 2], strides: [2, 2], padding: 'valid' } },
          { class_name: 'Flatten', config: { name: 'flatten_1' } },
          dense('dense_1', 120, 'relu'),
          dense('dense_2', 84, 'relu'),
          dense('dense_3', 10, 'softmax'),
        ],
      },
    }),
  },
  {
    info: { id: 'residual-cnn', name: 'Small residual CNN', description: 'A convolution, then a residual block (two convolutions and a skip wire added back), pooling and a softmax.', dataKind: 'images' },
    build: (): FunctionalTopology => ({
      class_name: 'Model',
      config: {
        name: 'residual_cnn',
        layers: [
          { name: 'input_1', class_name: 'InputLayer', config: { name: 'input_1', batch_input_shape: [null, 28, 28, 1] }, inbound_nodes: [] },
          conv('conv2d_1', 16, 'relu', 'input_1'),
          conv('conv2d_2', 16, 'relu', 'conv2d_1'),
          conv('conv2d_3', 16, 'linear', 'conv2d_2'),
          { name: 'add_1', class_name: 'Add', config: { name: 'add_1' }, inbound_nodes: [[['conv2d_3', 0, 0, {}], ['conv2d_1', 0, 0, {}]]] },
          { name: 'activation_1', class_name: 'Activation', config: { name: 'activation_1', activation: 'relu' }, inbound_nodes: [[['add_1', 0, 0, {}]]] },
          { name: 'max_pooling2d_1', class_name: 'MaxPooling2D', config: { name: 'max_pooling2d_1', pool_size: [2, 2], strides: [2, 2], padding: 'valid' }, inbound_nodes: [[['activation_1', 0, 0, {}]]] },
          { name: 'global_average_pooling2d_1', class_name: 'GlobalAveragePooling2D', config: { name: 'global_average_pooling2d_1' }, inbound_nodes: [[['max_pooling2d_1', 0, 0, {}]]] },
          { name: 'dense_1', class_name: 'Dense', config: { name: 'dense_1', units: 10, activation: 'softmax', use_bias: true }, inbound_nodes: [[['global_average_pooling2d_1', 0, 0, {}]]] },
        ],
        input_layers: [['input_1', 0, 0]],
        output_layers: [['dense_1', 0, 0]],
      },
    }),
  },
  {
    info: { id: 'lstm-classifier', name: 'LSTM sequence classifier', description: 'Reads each example as a sequence (an image row by row, or a table feature by feature) with an LSTM of 32 units.', dataKind: 'images' },
    build: () => ({
      class_name: 'Sequential',
      config: { name: 'lstm_classifier', layers: [{ class_name: 'LSTM', config: { name: 'lstm_1', units: 32, activation: 'tanh', return_sequences: false, batch_input_shape: [null, 28, 28] } }, dense('dense_1', 10, 'softmax')] },
    }),
  },
];

export function listTemplates(): TemplateInfo[] {
  return TEMPLATES.map((t) => t.info);
}

export class TemplateError extends BadInputError {}

export function getTemplate(id: string): ModelTopology {
  const t = TEMPLATES.find((x) => x.info.id === id);
  if (!t) throw new TemplateError(`Unknown template "${id}". Choose one of: ${TEMPLATES.map((x) => x.info.id).join(', ')}.`);
  return t.build();
}

/**
 * Fits a template to a dataset: the input shape becomes the dataset's (a Flatten goes in front of a
 * dense-first template given images; a Reshape in front of a sequence template given images or
 * rows), and the last layer gets one unit per class (softmax) or a single linear unit for regression.
 */
export function adaptTemplate(topology: ModelTopology, data: DataShape): ModelTopology {
  if (topology.class_name !== 'Sequential') return adaptFunctional(topology, data);
  const layers = topology.config.layers.map((l) => ({ ...l, config: { ...l.config } }));
  const first = layers[0];
  if (!first) throw new TemplateError('The template has no layers.');
  const declared = (first.config['batch_input_shape'] as (number | null)[]).slice(1);
  delete first.config['batch_input_shape'];
  const dataRank = data.inputShape.length;
  if (declared.length === 1 && dataRank > 1) {
    layers.unshift({ class_name: 'Flatten', config: { name: 'flatten_input' } });
  } else if (declared.length === 2 && dataRank !== 2) {
    // A sequence model reads an image row by row, a table feature by feature.
    const steps = data.inputShape[0]!;
    const features = data.inputShape.slice(1).reduce((a, b) => a * b, 1);
    layers.unshift({ class_name: 'Reshape', config: { name: 'reshape_input', target_shape: [steps, features] } });
  } else if (declared.length === 3 && dataRank !== 3) {
    throw new TemplateError(
      `${topology.config.name} is made for images (height, width, channels); this dataset has examples of shape (${data.inputShape.join(', ')}). Choose an MLP template for tables.`,
    );
  }
  layers[0]!.config['batch_input_shape'] = [null, ...data.inputShape];
  const last = layers[layers.length - 1]!;
  last.config['units'] = data.task === 'regression' ? 1 : data.outputs;
  last.config['activation'] = data.task === 'regression' ? 'linear' : 'softmax';
  return { ...topology, config: { ...topology.config, layers } } as SequentialTopology;
}

function adaptFunctional(topology: FunctionalTopology, data: DataShape): FunctionalTopology {
  const layers = topology.config.layers.map((l) => ({ ...l, config: { ...l.config } }));
  const input = layers.find((l) => l.class_name === 'InputLayer');
  const outputName = topology.config.output_layers[0]?.[0];
  const output = layers.find((l) => (l.name ?? l.config.name) === outputName);
  if (!input || !output) throw new TemplateError('The template has no input or output layer.');
  const declared = (input.config['batch_input_shape'] as (number | null)[]).slice(1);
  if (declared.length !== data.inputShape.length) {
    throw new TemplateError(`${topology.config.name} takes examples of rank ${declared.length}; this dataset has examples of shape (${data.inputShape.join(', ')}).`);
  }
  input.config['batch_input_shape'] = [null, ...data.inputShape];
  output.config['units'] = data.task === 'regression' ? 1 : data.outputs;
  output.config['activation'] = data.task === 'regression' ? 'linear' : 'softmax';
  return { ...topology, config: { ...topology.config, layers } };
}
