// Every CAM method by its command-line / contract name. Adding a method = one small file + a line here.
import type * as tfl from '@tensorflow/tfjs-layers';
import { InspectError } from '../split-model';
import type { BaseCam, CamResult } from './base-cam';
import { GradCam } from './grad-cam';
import { GradCamPlusPlus } from './grad-cam-plus-plus';
import { XGradCam } from './xgrad-cam';
import { LayerCam } from './layer-cam';
import { ScoreCam } from './score-cam';
import { EigenCam } from './eigen-cam';

export const CAM_METHODS: Record<string, BaseCam> = {
  gradcam: new GradCam(),
  gradcampp: new GradCamPlusPlus(),
  xgradcam: new XGradCam(),
  layercam: new LayerCam(),
  scorecam: new ScoreCam(),
  eigencam: new EigenCam(),
};

/** For pickers: name, label, one-line description, whether it needs gradients. */
export function listCamMethods(): { name: string; label: string; description: string; usesGradients: boolean }[] {
  return Object.values(CAM_METHODS).map((m) => ({ name: m.name, label: m.label, description: m.description, usesGradients: m.usesGradients }));
}

export function getCamMethod(name: string): BaseCam {
  const m = CAM_METHODS[name];
  if (!m) throw new InspectError(`Unknown CAM method "${name}". Methods: ${Object.keys(CAM_METHODS).join(', ')}.`);
  return m;
}

export interface ComputeCamRequest {
  model: tfl.LayersModel;
  /** One preprocessed example. */
  input: Float32Array;
  layer?: string;
  classIndex?: number;
  /** Default 'gradcam'. */
  method?: string;
}

export function computeCam({ model, input, layer, classIndex, method = 'gradcam' }: ComputeCamRequest): CamResult {
  return getCamMethod(method).compute(model, input, { layer, classIndex });
}
