// The model-parameter randomisation sanity check (Adebayo et al., 2018, "Sanity Checks for
// Saliency Maps"): if an explanation barely changes when the layers that turn the target layer's
// activations into the class score are re-initialised, it does not explain what the model learnt.
// The check runs on a clone (the user's model is never touched), randomising cascadingly from the
// output layer down to the layer just after the target, and compares each map to the original.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import { seededRandom } from '../../compute/random';
import { getCamMethod } from './cam/registry';
import type { CamResult } from './cam/base-cam';
import { layersAfter, splitModel } from './split-model';
import { pearson, spearman, ssim } from './similarity';

export interface Similarity {
  spearman: number;
  pearson: number;
  ssim: number;
}

export interface RandomisationStep extends Similarity {
  /** The layer randomised at this step (all layers of earlier steps stay randomised). */
  layer: string;
  cam: Float32Array;
}

export interface RandomisationReport {
  layer: string;
  method: string;
  classIndex: number;
  shape: [number, number];
  original: Float32Array;
  /** Cascading: step 1 randomises the output layer, the last step every layer after the target. */
  steps: RandomisationStep[];
  /** The last step: every layer after the target randomised. */
  final: Similarity;
  /** A one-line reading of the result for people. */
  summary: string;
}

export interface RandomisationRequest {
  model: tfl.LayersModel;
  input: Float32Array;
  layer?: string;
  classIndex?: number;
  method?: string;
  seed?: number;
}

/** Fresh values as Keras initialises them: Glorot-uniform kernels; ones for BN scales and variances; zeros otherwise. */
function freshValues(name: string, shape: number[], random: () => number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const leaf = name.split('/').at(-1) ?? name;
  if (shape.length >= 2) {
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = shape.at(-2)! * receptive;
    const fanOut = shape.at(-1)! * receptive;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < size; i++) out[i] = (random() * 2 - 1) * limit;
  } else if (/gamma|moving_variance/.test(leaf)) {
    out.fill(1);
  }
  return out;
}

export function compare(a: Float32Array, b: Float32Array, shape: readonly [number, number]): Similarity {
  return { spearman: spearman(a, b), pearson: pearson(a, b), ssim: ssim(a, b, shape[0], shape[1]) };
}

async function cloneModel(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  const clone = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) as never });
  clone.setWeights(model.getWeights());
  return clone;
}

export async function modelRandomisationTest({ model, input, layer, classIndex, method = 'gradcam', seed = 1 }: RandomisationRequest): Promise<RandomisationReport> {
  const cam = getCamMethod(method);
  const original: CamResult = cam.compute(model, input, { layer, classIndex });
  const clone = await cloneModel(model);
  try {
    const targetPath = splitModel(clone, original.layer).layer;
    const after = layersAfter(clone, targetPath).reverse(); // output layer first
    const random = seededRandom(seed);
    const steps: RandomisationStep[] = [];
    for (const { path, layer: l } of after) {
      const fresh = l.weights.map((v) => tf.tensor(freshValues(v.originalName ?? v.name, v.shape as number[], random), v.shape as number[]));
      l.setWeights(fresh);
      tf.dispose(fresh);
      const r = cam.compute(clone, input, { layer: targetPath, classIndex: original.classIndex });
      steps.push({ layer: path, cam: r.cam, ...compare(original.cam, r.cam, original.shape) });
    }
    const final: Similarity = steps.length ? { spearman: steps.at(-1)!.spearman, pearson: steps.at(-1)!.pearson, ssim: steps.at(-1)!.ssim } : { spearman: 1, pearson: 1, ssim: 1 };
    const summary = !steps.length
      ? `No layer with weights follows "${original.layer}", so there is nothing to randomise.`
      : final.spearman > 0.5
        ? `The ${cam.label} map barely changes when the ${steps.length} layer(s) after "${original.layer}" are randomised (Spearman ${final.spearman.toFixed(2)}): it reflects the input and early layers more than what the model learnt for the class.`
        : `The ${cam.label} map changes when the ${steps.length} layer(s) after "${original.layer}" are randomised (Spearman ${final.spearman.toFixed(2)}): it depends on the learnt weights, as an explanation should.`;
    return { layer: original.layer, method: cam.name, classIndex: original.classIndex, shape: original.shape, original: original.cam, steps, final, summary };
  } finally {
    clone.dispose();
  }
}
