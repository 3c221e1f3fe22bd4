// What the engine trains on: examples as one flat typed array plus labels, and the recipe that
// turns a raw example into model input. The recipe travels with the saved model, so a model
// predicts on raw values exactly as it was trained.

export type Task = 'classification' | 'regression';

export interface TablePreprocessing {
  kind: 'table';
  featureNames: string[];
  /** Standardisation fitted on the training split: x' = (x - mean) / std. */
  mean: number[];
  std: number[];
}

export interface ImagePreprocessing {
  kind: 'image';
  height: number;
  width: number;
  channels: 1 | 3;
  /** x' = (pixel × scale − mean[c]) / std[c]; pixels are 0–255. */
  scale: number;
  mean: number[];
  std: number[];
}

export type Preprocessing = TablePreprocessing | ImagePreprocessing;

export interface Dataset {
  id: string;
  name: string;
  kind: 'table' | 'images';
  task: Task;
  /** Raw examples, row-major: count × product(inputShape). Pixels as 0–255. */
  x: Float32Array;
  inputShape: number[];
  /** Class index (classification) or target value (regression) per example. */
  y: Float32Array;
  classes: string[];
  count: number;
  /** Raw feature names (tables) for messages and the predict form. */
  featureNames: string[];
  /** Scaling that does not depend on the split (images), or null to fit on the training split. */
  fixedPreprocessing: ImagePreprocessing | null;
}

/** A clear, user-facing problem with input data (file, row, column named in the message). */
export class DataError extends Error {
  readonly code = 'bad-input';
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export function exampleSize(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
