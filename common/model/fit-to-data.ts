// Whether a model can take a data set, and how to make it: the input must have the examples' shape
// and the last layer one unit per class (or one for a number to predict). When only those two ends
// differ and the change is safe (same input rank, a Dense output), Glasswing can fit the model in
// one click; otherwise it says, in words, what the person has to change.
import type { FunctionalTopology, KerasLayer, ModelTopology } from './keras-format';
import type { DataShape } from './templates';
import { summarizeTopology } from './summary';

export type DataFit =
  | { ok: true }
  | {
      ok: false;
      /** What does not fit and what to change, for the Build and Train views. */
      problem: string;
      /** The layer to point at (the input or the output layer). */
      layer: string | null;
      /** The model fitted to the data, when that is safe; null when the person must change it. */
      fitted: ModelTopology | null;
      /** What fitting changes, e.g. "input (4) → (13); output 3 → 2 classes". */
      change: string;
    };

const shape = (s: readonly (number | null)[]) => `(${s.join(', ')})`;

export function fitModelToData(topology: ModelTopology, data: DataShape, dataName: string): DataFit {
  const summary = summarizeTopology(topology);
  if (summary.errors.length || !summary.inputShape || !summary.outputShape) return { ok: true }; // shape errors are the builder's to report
  const modelIn = summary.inputShape.slice(1);
  const units = summary.outputShape[summary.outputShape.length - 1];
  const inputOk = modelIn.length === data.inputShape.length && modelIn.every((d, i) => d === data.inputShape[i]);
  const outputOk = units === data.outputs;
  if (inputOk && outputOk) return { ok: true };
  const layers = topology.config.layers;
  const first = layers[0];
  const last = layers[layers.length - 1];
  const inputName = first ? (first.name ?? first.config.name ?? null) : null;
  const outputName = last ? (last.name ?? last.config.name ?? null) : null;
  const what = data.task === 'regression' ? 'one number to predict' : `${data.outputs} classes`;
  const parts: string[] = [];
  if (!inputOk) parts.push(`input ${shape(modelIn)} → ${shape(data.inputShape)}`);
  if (!outputOk) parts.push(`output ${units} → ${data.outputs} ${data.task === 'regression' ? 'unit' : 'classes'}`);
  const change = parts.join('; ');
  const problem = !inputOk
    ? `The model takes inputs of shape ${shape(modelIn)}; ${dataName} has examples of shape ${shape(data.inputShape)}${outputOk ? '' : ` and ${what}`}.`
    : `The model's last layer has ${units} unit${units === 1 ? '' : 's'}; ${dataName} has ${what}.`;
  // Safe with a Dense output, and an input that either keeps its rank or is flattened first.
  let fitted: ModelTopology | null = null;
  if (last?.class_name === 'Dense') {
    fitted = refit(topology, data);
    if (fitted && summarizeTopology(fitted).errors.length) fitted = null;
  }
  const advice = fitted
    ? ` Fit the model to this data (${change}).`
    : modelIn.length !== data.inputShape.length
      ? modelIn.length === 3
        ? ' This model is made for images; choose a table template (an MLP) or change its input.'
        : data.inputShape.length === 3
          ? ' This model is made for tables; choose an image template (LeNet-5) or add a Flatten after its input.'
          : ' Change the input layer to match.'
      : ' Change the last layer to match.';
  return { ok: false, problem: problem + advice, layer: inputOk ? outputName : inputName, fitted, change };
}

const name = (l: KerasLayer) => String(l.name ?? l.config.name);

function setOutput(layer: KerasLayer, data: DataShape): void {
  layer.config['units'] = data.task === 'regression' ? 1 : data.outputs;
  layer.config['activation'] = data.task === 'regression' ? 'linear' : 'softmax';
}

/**
 * The model with the data's input shape and outputs, when that keeps every layer meaningful: the
 * input keeps its rank, or the first layer flattens it (a Flatten in front of a table is dropped;
 * a Dense-first stack given images gets one). Null otherwise.
 */
function refit(topology: ModelTopology, data: DataShape): ModelTopology | null {
  const layers = topology.config.layers.map((l) => ({ ...l, config: { ...l.config } }));
  const rank = data.inputShape.length;
  const batchShape = [null, ...data.inputShape];
  if (topology.class_name === 'Sequential') {
    const first = layers[0];
    if (!first) return null;
    const declared = (first.config['batch_input_shape'] as (number | null)[] | undefined)?.slice(1) ?? [];
    if (first.class_name === 'Flatten' && rank === 1 && layers.length > 1) {
      layers.shift();
      layers[0]!.config['batch_input_shape'] = batchShape;
    } else if (first.class_name === 'Flatten' || declared.length === rank) {
      first.config['batch_input_shape'] = batchShape;
    } else if (first.class_name === 'Dense' && declared.length === 1 && rank > 1) {
      delete first.config['batch_input_shape'];
      layers.unshift({ class_name: 'Flatten', config: { name: 'flatten_input', batch_input_shape: batchShape } });
    } else return null;
    setOutput(layers[layers.length - 1]!, data);
    return { ...topology, config: { ...topology.config, layers } };
  }
  const fn = topology as FunctionalTopology;
  const input = layers.find((l) => l.class_name === 'InputLayer');
  const output = layers.find((l) => name(l) === fn.config.output_layers[0]?.[0]);
  if (!input || !output || output.class_name !== 'Dense') return null;
  const declared = (input.config['batch_input_shape'] as (number | null)[]).slice(1);
  const consumers = layers.filter((l) => JSON.stringify(l.inbound_nodes ?? []).includes(`"${name(input)}"`));
  const flattened = consumers.length > 0 && consumers.every((l) => l.class_name === 'Flatten');
  if (declared.length !== rank && !flattened) return null;
  input.config['batch_input_shape'] = batchShape;
  setOutput(output, data);
  return { ...fn, config: { ...fn.config, layers } };
}
