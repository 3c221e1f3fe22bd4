// Grad-CAM++ (Chattopadhyay et al., 2018), in pytorch-grad-cam's closed form: pixel weights
// α = g² / (2g² + ΣA · g³), channel weight = Σ α · ReLU(g). Better for several instances of a class.
import { BaseCam, sumOverPixels, type CamContext } from './base-cam';

export class GradCamPlusPlus extends BaseCam {
  readonly name = 'gradcampp';
  readonly label = 'Grad-CAM++';
  readonly description = 'Like Grad-CAM, but each position weighted by higher-order gradient terms; finds several objects better.';
  protected override getWeights({ h, w, c, grads, activations }: CamContext): Float64Array {
    const g = grads!;
    const sumA = sumOverPixels(h, w, c, (p, k) => activations[p * c + k]!);
    return sumOverPixels(h, w, c, (p, k) => {
      const gi = g[p * c + k]!;
      if (gi === 0) return 0;
      const g2 = gi * gi;
      const alpha = g2 / (2 * g2 + sumA[k]! * g2 * gi + 1e-6);
      return alpha * Math.max(gi, 0);
    });
  }
}
