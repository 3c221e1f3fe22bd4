// The registry's vocabulary, shared by its parts (layer-registry.ts, layer-registry-more.ts):
// what a layer definition is, the error a shape rule throws, and Keras's convolution arithmetic.
import type { LayerConfig, Shape } from './keras-format';

export type LayerCategory =
  | 'Input'
  | 'Core'
  | 'Convolution'
  | 'Pooling'
  | 'Reshaping'
  | 'Normalization'
  | 'Regularization'
  | 'Activation'
  | 'Recurrent'
  | 'Merge';

export type ParamSchema =
  | { key: string; label: string; kind: 'int'; default: number; min?: number; max?: number; help?: string }
  | { key: string; label: string; kind: 'float'; default: number; min?: number; max?: number; help?: string }
  | { key: string; label: string; kind: 'bool'; default: boolean; help?: string }
  | { key: string; label: string; kind: 'enum'; default: string; options: readonly string[]; help?: string }
  /** A pair such as kernel size (3, 3); a single number in the UI expands to both. */
  | { key: string; label: string; kind: 'pair'; default: [number, number]; min?: number; help?: string }
  /** A shape without the batch dimension, e.g. [28, 28, 1]; -1 allowed where `allowUnknown`. */
  | { key: string; label: string; kind: 'shape'; default: number[]; allowUnknown?: boolean; help?: string };

export interface ParamCount {
  trainable: number;
  nonTrainable: number;
}

/** A shape that a layer cannot accept, explained for a learner. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export interface LayerDefinition {
  className: string;
  category: LayerCategory;
  /** One line a learner can read in the palette. */
  summary: string;
  params: readonly ParamSchema[];
  /** How many inputs the layer takes: 0 for Input, 1, or 'many' for merge layers. */
  arity: 0 | 1 | 'many';
  /** Output shape from input shapes (batch dimension included); throws ShapeError. */
  outputShape(inputs: Shape[], config: LayerConfig): Shape;
  paramCount(inputs: Shape[], config: LayerConfig): ParamCount;
}

/** Keras's conv_output_length. */
export function convOutputLength(input: number | null, kernel: number, padding: string, stride: number, dilation = 1): number | null {
  if (input === null) return null;
  const dilated = (kernel - 1) * dilation + 1;
  if (padding === 'same') return Math.ceil(input / stride);
  return Math.floor((input - dilated) / stride) + 1;
}


// ---- config readers shared by the registry's files --------------------------------------------

export const PADDINGS = ['valid', 'same'] as const;

export function num(config: LayerConfig, key: string, fallback: number): number {
  const v = config[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function bool(config: LayerConfig, key: string, fallback: boolean): boolean {
  const v = config[key];
  return typeof v === 'boolean' ? v : fallback;
}

/** A Keras "int or tuple of 2" setting (kernel size, strides, dilation). */
export function pair(config: LayerConfig, key: string, fallback: [number, number]): [number, number] {
  const v = config[key];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  return fallback;
}

/** The only input of a one-input layer. */
export function one(inputs: Shape[], className: string): Shape {
  if (inputs.length !== 1) throw new ShapeError(`${className} takes exactly one input; it has ${inputs.length}.`);
  return inputs[0]!;
}
