// Keras-format model JSON, as TF.js layers models store it (`model.json`'s `modelTopology`).
// Configs keep Keras's snake_case keys so `tf.models.modelFromJSON` and Keras read them as they are.

export type Dim = number | null;
/** A tensor shape including the batch dimension first (always null). */
export type Shape = Dim[];

export type LayerConfig = Record<string, unknown> & { name?: string };

/** One layer as Keras serialises it. */
export interface KerasLayer {
  class_name: string;
  config: LayerConfig;
  /** Functional models only: name of the layer. */
  name?: string;
  /** Functional models only: [[[inboundLayer, nodeIndex, tensorIndex, kwargs]]]. */
  inbound_nodes?: unknown[];
}

export interface SequentialTopology {
  class_name: 'Sequential';
  config: { name: string; layers: KerasLayer[] };
  keras_version?: string;
  backend?: string;
}

export interface FunctionalTopology {
  class_name: 'Model' | 'Functional';
  config: {
    name: string;
    layers: KerasLayer[];
    input_layers: [string, number, number][];
    output_layers: [string, number, number][];
  };
  keras_version?: string;
  backend?: string;
}

export type ModelTopology = SequentialTopology | FunctionalTopology;

export function formatShape(shape: Shape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}
