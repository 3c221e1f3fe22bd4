// From an image file to what a saved model takes: engine/image-input.ts's one image path (decode,
// channels, bilinear resize), then the preprocessing saved with the model (applyPreprocessing).
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DecodedImage } from '../image-input';
import { imageForModel } from '../image-input';
import { applyPreprocessing } from '../datasets/prepare';
import type { ImagePreprocessing } from '../datasets/dataset';
import type { GlasswingMetadata } from '../model-io';
import { InspectError } from './split-model';
import { modelInputShape } from './feature-maps';

export interface ModelImage {
  /** Model-sized pixels, 0–255 (for overlays). */
  image: DecodedImage;
  /** The preprocessed example the model takes. */
  input: Float32Array;
  preprocessing: ImagePreprocessing;
}

/** The saved image preprocessing, or scale 1/255, mean 0, std 1 when the model has none. */
export function imagePreprocessingFor(inputShape: number[], metadata: GlasswingMetadata | null): ImagePreprocessing {
  if (inputShape.length !== 3 || (inputShape[2] !== 1 && inputShape[2] !== 3)) {
    throw new InspectError(`The model takes [${inputShape.join(', ')}], not an image (height × width × 1 or 3 channels).`);
  }
  const [height, width, channels] = inputShape as [number, number, 1 | 3];
  const p = metadata?.preprocessing;
  if (p && p.kind === 'table') throw new InspectError('The model was trained on a table, not on images.');
  if (p && p.kind === 'image') return p;
  return { kind: 'image', height, width, channels, scale: 1 / 255, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
}

export async function imageInputForModel(source: string | Uint8Array, model: tfl.LayersModel, metadata: GlasswingMetadata | null, label?: string): Promise<ModelImage> {
  const inputShape = metadata?.inputShape?.length ? metadata.inputShape : modelInputShape(model);
  const preprocessing = imagePreprocessingFor(inputShape, metadata);
  const [height, width, channels] = inputShape as [number, number, number];
  const pixels = await imageForModel(source, inputShape, label);
  return { image: { pixels, height, width, channels }, input: applyPreprocessing(pixels, preprocessing), preprocessing };
}
