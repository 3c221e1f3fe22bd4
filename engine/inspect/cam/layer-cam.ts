// LayerCAM (Jiang et al., 2021): each position keeps its own weight, ReLU(gradient) × activation.
// Works on early layers too, where a single weight per channel blurs the map.
import { BaseCam, type CamContext } from './base-cam';

export class LayerCam extends BaseCam {
  readonly name = 'layercam';
  readonly label = 'LayerCAM';
  readonly description = 'Position-wise ReLU(gradient) × activation; gives finer maps, also for early layers.';
  protected override camImage({ h, w, c, grads, activations }: CamContext): Float64Array {
    const out = new Float64Array(h * w);
    for (let p = 0; p < h * w; p++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += Math.max(grads![p * c + k]!, 0) * activations[p * c + k]!;
      out[p] = s;
    }
    return out;
  }
}
