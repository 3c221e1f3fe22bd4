// Eigen-CAM (Muhammad & Yeasin, 2020), gradient-free and class-agnostic: the activations
// (pixels × channels, centred) projected on their first principal component. The component's sign
// is arbitrary, so it is chosen to agree with the channels' summed activation.
import { BaseCam, type CamContext } from './base-cam';

export class EigenCam extends BaseCam {
  readonly name = 'eigencam';
  readonly label = 'Eigen-CAM';
  readonly description = 'Gradient-free and class-agnostic: the first principal component of the layer\'s activations.';
  override readonly usesGradients = false;

  protected override camImage({ h, w, c, activations }: CamContext): Float64Array {
    const n = h * w;
    const mean = new Float64Array(c);
    for (let p = 0; p < n; p++) for (let k = 0; k < c; k++) mean[k]! += activations[p * c + k]! / n;
    const a = new Float64Array(n * c);
    for (let p = 0; p < n; p++) for (let k = 0; k < c; k++) a[p * c + k] = activations[p * c + k]! - mean[k]!;
    // Covariance (c × c), then power iteration for its top eigenvector.
    const cov = new Float64Array(c * c);
    for (let p = 0; p < n; p++) for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) cov[i * c + j]! += a[p * c + i]! * a[p * c + j]!;
    let v = new Float64Array(c).fill(1 / Math.sqrt(c));
    for (let iter = 0; iter < 200; iter++) {
      const next = new Float64Array(c);
      for (let i = 0; i < c; i++) for (let j = 0; j < c; j++) next[i]! += cov[i * c + j]! * v[j]!;
      const norm = Math.hypot(...next);
      if (norm === 0) return new Float64Array(n);
      for (let i = 0; i < c; i++) next[i]! /= norm;
      let change = 0;
      for (let i = 0; i < c; i++) change = Math.max(change, Math.abs(next[i]! - v[i]!));
      v = next;
      if (change < 1e-10) break;
    }
    const out = new Float64Array(n);
    const total = new Float64Array(n);
    for (let p = 0; p < n; p++) {
      for (let k = 0; k < c; k++) {
        out[p]! += a[p * c + k]! * v[k]!;
        total[p]! += activations[p * c + k]!;
      }
    }
    let agreement = 0;
    for (let p = 0; p < n; p++) agreement += out[p]! * total[p]!;
    if (agreement < 0) for (let p = 0; p < n; p++) out[p] = -out[p]!;
    return out;
  }
}
