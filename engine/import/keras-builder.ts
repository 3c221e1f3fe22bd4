// Collects Keras layers (functional form: each layer names the layers it takes) and their weights
// while a converter walks another format's graph, then writes the TF.js-loadable topology and
// builds the LayersModel. Layers nothing reaches from the outputs are dropped at the end, so a
// converter may create helpers freely.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import type { FunctionalTopology, KerasLayer } from '../../common/model/keras-format';
import { ModelImportError, reason } from './errors';

export interface KerasWeight {
  shape: number[];
  data: Float32Array;
}

interface PendingLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  inbound: string[];
  weights: KerasWeight[];
}

/** Letters, digits, '_', '.' and '-' only: '/' would read as "outer/inner" in the inspector. */
export function cleanName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[^A-Za-z0-9]+/, '').replace(/_+$/, '');
  return s || 'layer';
}

export class KerasGraphBuilder {
  private readonly layers = new Map<string, PendingLayer>();
  private readonly order: string[] = [];

  constructor(readonly modelName: string) {}

  /** A free name close to `hint` (hint, hint_1, hint_2, …). */
  uniqueName(hint: string): string {
    const base = cleanName(hint);
    let name = base;
    for (let i = 1; this.layers.has(name); i++) name = `${base}_${i}`;
    return name;
  }

  /** Adds a layer and returns its name (= the name of its one output). */
  add(className: string, hint: string, config: Record<string, unknown>, inbound: string[], weights: KerasWeight[] = []): string {
    const name = this.uniqueName(hint);
    for (const i of inbound) if (!this.layers.has(i)) throw new Error(`internal: layer ${name} takes ${i}, which does not exist`);
    this.layers.set(name, { name, className, config: { name, trainable: true, dtype: 'float32', ...config }, inbound, weights });
    this.order.push(name);
    return name;
  }

  input(hint: string, shape: (number | null)[]): string {
    const name = this.uniqueName(hint);
    this.layers.set(name, { name, className: 'InputLayer', config: { name, batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false }, inbound: [], weights: [] });
    this.order.push(name);
    return name;
  }

  layer(name: string): { className: string; config: Record<string, unknown>; weights: KerasWeight[]; inbound: string[] } {
    const l = this.layers.get(name);
    if (!l) throw new Error(`internal: no layer ${name}`);
    return l;
  }

  /** The Keras-format functional topology of everything that reaches `outputs`. */
  topology(inputs: string[], outputs: string[]): { topology: FunctionalTopology; weights: Map<string, KerasWeight[]> } {
    const keep = new Set<string>();
    const stack = [...outputs];
    while (stack.length) {
      const n = stack.pop()!;
      if (keep.has(n)) continue;
      keep.add(n);
      stack.push(...this.layer(n).inbound);
    }
    for (const i of inputs) keep.add(i);
    const layers: KerasLayer[] = this.order
      .filter((n) => keep.has(n))
      .map((n) => {
        const l = this.layers.get(n)!;
        return { name: l.name, class_name: l.className, config: l.config, inbound_nodes: l.inbound.length ? [l.inbound.map((i) => [i, 0, 0, {}])] : [] };
      });
    const weights = new Map<string, KerasWeight[]>();
    for (const n of this.order) if (keep.has(n) && this.layers.get(n)!.weights.length) weights.set(n, this.layers.get(n)!.weights);
    return {
      topology: {
        class_name: 'Model',
        config: { name: this.modelName, layers, input_layers: inputs.map((i) => [i, 0, 0]), output_layers: outputs.map((o) => [o, 0, 0]) },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weights,
    };
  }
}

/**
 * Builds the TF.js model from a Keras-format topology and sets each layer's weights in Keras's
 * order. A mismatch names the layer and both shapes. `where` names the file in messages.
 */
export async function buildLayersModel(topology: object, weights: Map<string, KerasWeight[]>, where: string): Promise<tfl.LayersModel> {
  let model: tfl.LayersModel;
  try {
    model = await tfl.models.modelFromJSON({ modelTopology: topology as never });
  } catch (e) {
    throw new ModelImportError(`${where}: TF.js could not build the converted model: ${reason(e)}`);
  }
  try {
    for (const [name, ws] of weights) {
      let layer;
      try {
        layer = model.getLayer(name);
      } catch {
        throw new ModelImportError(`${where}: weights for layer "${name}", which the model does not have.`);
      }
      const expected = layer.weights.map((w) => w.shape);
      if (expected.length !== ws.length || expected.some((s, i) => s.join('x') !== ws[i]!.shape.join('x'))) {
        throw new ModelImportError(
          `${where}: layer "${name}" (${layer.getClassName()}) takes weights of shapes ${expected.map((s) => `[${s.join(', ')}]`).join(', ') || '(none)'}; the file has ${ws.map((w) => `[${w.shape.join(', ')}]`).join(', ') || '(none)'}.`,
        );
      }
      const tensors = ws.map((w) => tf.tensor(w.data, w.shape, 'float32'));
      try {
        layer.setWeights(tensors);
      } finally {
        tf.dispose(tensors);
      }
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
