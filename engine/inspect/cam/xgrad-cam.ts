// XGrad-CAM (Fu et al., 2020): gradients weighted by the normalised activations.
import { BaseCam, sumOverPixels, type CamContext } from './base-cam';

export class XGradCam extends BaseCam {
  readonly name = 'xgradcam';
  readonly label = 'XGrad-CAM';
  readonly description = 'Channels weighted by gradient × activation, normalised by the channel\'s total activation.';
  protected override getWeights({ h, w, c, grads, activations }: CamContext): Float64Array {
    const sumA = sumOverPixels(h, w, c, (p, k) => activations[p * c + k]!);
    const sumGA = sumOverPixels(h, w, c, (p, k) => grads![p * c + k]! * activations[p * c + k]!);
    return sumGA.map((v, k) => v / (sumA[k]! + 1e-7));
  }
}
