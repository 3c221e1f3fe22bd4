// Score-CAM (Wang et al., 2020), gradient-free: each channel, upsampled to the input and scaled to
// [0, 1], masks the input; the channel's weight is the class score of the masked input, softmaxed
// over channels. Costs one forward pass per channel (batched).
import { tf } from '../../backends';
import { resizeBilinear } from '../../image-input';
import { InspectError } from '../split-model';
import { BaseCam, type CamContext } from './base-cam';

const BATCH = 32;

export class ScoreCam extends BaseCam {
  readonly name = 'scorecam';
  readonly label = 'Score-CAM';
  readonly description = 'Gradient-free: each channel masks the input, weighted by how much the masked input scores for the class.';
  override readonly usesGradients = false;

  protected override getWeights({ h, w, c, activations, input, inputShape, split, classIndex }: CamContext): Float64Array {
    if (inputShape.length !== 3) throw new InspectError(`Score-CAM needs an image input (height × width × channels); this model takes [${inputShape.join(', ')}].`);
    const [H, W, C] = inputShape as [number, number, number];
    const scores = new Float64Array(c);
    for (let start = 0; start < c; start += BATCH) {
      const n = Math.min(BATCH, c - start);
      const masked = new Float32Array(n * H * W * C);
      for (let j = 0; j < n; j++) {
        const k = start + j;
        const channel = new Float32Array(h * w);
        for (let p = 0; p < h * w; p++) channel[p] = activations[p * c + k]!;
        const up = resizeBilinear({ pixels: channel, height: h, width: w, channels: 1 }, H, W).pixels;
        let min = Infinity;
        let max = -Infinity;
        for (const v of up) {
          if (v < min) min = v;
          if (v > max) max = v;
        }
        const range = max - min + 1e-8;
        for (let p = 0; p < H * W; p++) {
          const m = (up[p]! - min) / range;
          for (let ch = 0; ch < C; ch++) masked[(j * H * W + p) * C + ch] = input[p * C + ch]! * m;
        }
      }
      const logits = tf.tidy(() => split.logits(tf.tensor(masked, [n, H, W, C])));
      const values = logits.dataSync();
      const classes = values.length / n;
      for (let j = 0; j < n; j++) scores[start + j] = values[j * classes + classIndex]!;
      logits.dispose();
    }
    // Softmax over channels (max-subtracted for stability).
    let top = -Infinity;
    for (const s of scores) top = Math.max(top, s);
    let total = 0;
    const weights = scores.map((s) => Math.exp(s - top));
    for (const v of weights) total += v;
    return weights.map((v) => v / total);
  }
}
