// Grad-CAM (Selvaraju et al., 2017): channel weight = the gradient averaged over the map.
import { BaseCam, sumOverPixels, type CamContext } from './base-cam';

export class GradCam extends BaseCam {
  readonly name = 'gradcam';
  readonly label = 'Grad-CAM';
  readonly description = 'Channels weighted by their average gradient of the class score.';
  protected override getWeights({ h, w, c, grads }: CamContext): Float64Array {
    const weights = sumOverPixels(h, w, c, (p, k) => grads![p * c + k]!);
    return weights.map((v) => v / (h * w));
  }
}
