// Shape inference and parameter counting over a whole graph, as Keras's model.summary() reports
// them, with an error per layer that cannot take its input instead of a thrown exception.
import type { ModelTopology, Shape } from './keras-format';
import { graphFromTopology, topologicalOrder, TopologyError, type LayerGraph } from './graph';
import { layerDefinition, ShapeError } from './layer-registry';

export interface LayerSummary {
  name: string;
  className: string;
  /** Null when the layer or one above it has an error. */
  outputShape: Shape | null;
  params: number;
  trainableParams: number;
  error?: string;
}

export interface ModelSummary {
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Errors by layer name ("" for the model as a whole). */
  errors: { layer: string; message: string }[];
  inputShape: Shape | null;
  outputShape: Shape | null;
}

export function summarizeGraph(graph: LayerGraph): ModelSummary {
  const errors: { layer: string; message: string }[] = [];
  const empty: ModelSummary = { layers: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0, errors, inputShape: null, outputShape: null };
  let order;
  try {
    order = topologicalOrder(graph);
  } catch (e) {
    errors.push({ layer: '', message: (e as Error).message });
    return empty;
  }
  const shapes = new Map<string, Shape | null>();
  const layers: LayerSummary[] = [];
  let total = 0;
  let trainable = 0;
  for (const layer of order) {
    const def = layerDefinition(layer.className);
    const summary: LayerSummary = { name: layer.name, className: layer.className, outputShape: null, params: 0, trainableParams: 0 };
    if (!def) {
      summary.error = `Glasswing does not know the layer type "${layer.className}".`;
    } else if (def.arity === 0 && layer.inbound.length > 0) {
      summary.error = `${layer.className} starts the network; nothing can be wired into it.`;
    } else if (def.arity === 1 && layer.inbound.length !== 1) {
      summary.error = layer.inbound.length === 0 ? `${layer.className} has no input; wire a layer into it.` : `${layer.className} takes one input; it has ${layer.inbound.length}. Use Add or Concatenate to merge.`;
    } else {
      const inputs = layer.inbound.map((n) => shapes.get(n) ?? null);
      if (inputs.every((s): s is Shape => s !== null)) {
        try {
          summary.outputShape = def.outputShape(inputs, layer.config);
          const count = def.paramCount(inputs, layer.config);
          summary.params = count.trainable + count.nonTrainable;
          summary.trainableParams = count.trainable;
          if (layer.config['trainable'] === false) summary.trainableParams = 0;
        } catch (e) {
          if (!(e instanceof ShapeError)) throw e;
          summary.error = e.message;
          // The registry's hint assumes a Flatten feeds the layer; say so only when one does.
          const feeder = graph.layers.find((l) => l.name === layer.inbound[0]);
          if (feeder?.className !== 'Flatten') summary.error = summary.error.replace('Add a Reshape or remove the Flatten above it.', 'Add a Reshape above it.');
        }
      }
    }
    if (summary.error) errors.push({ layer: layer.name, message: summary.error });
    shapes.set(layer.name, summary.outputShape);
    total += summary.params;
    trainable += summary.trainableParams;
    layers.push(summary);
  }
  const consumed = new Set(order.flatMap((l) => l.inbound));
  const failed = new Set(errors.map((e) => e.layer));
  for (const l of order) {
    if (!consumed.has(l.name) && !graph.outputs.includes(l.name) && !failed.has(l.name)) {
      errors.push({ layer: l.name, message: `${l.className} "${l.name}" is not connected to the output; wire it in or delete it.` });
    }
  }
  if (graph.outputs.length === 0) errors.push({ layer: '', message: 'The model has no output layer.' });
  const input = order.find((l) => l.className === 'InputLayer');
  if (!input) errors.push({ layer: '', message: 'The model has no Input layer.' });
  return {
    layers,
    totalParams: total,
    trainableParams: trainable,
    nonTrainableParams: total - trainable,
    errors,
    inputShape: input ? (shapes.get(input.name) ?? null) : null,
    outputShape: graph.outputs.length === 1 ? (shapes.get(graph.outputs[0]!) ?? null) : null,
  };
}

export function summarizeTopology(topology: ModelTopology): ModelSummary {
  try {
    return summarizeGraph(graphFromTopology(topology));
  } catch (e) {
    if (e instanceof TopologyError) {
      return { layers: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0, errors: [{ layer: '', message: e.message }], inputShape: null, outputShape: null };
    }
    throw e;
  }
}
