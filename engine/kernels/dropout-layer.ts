// Training, tfjs-layers' Dropout draws its keep mask through tf.randomUniform, which fills the tensor
// in JavaScript with seedrandom's generator one float at a time (5.5 ms for the 262,144 values of a
// CIFAR CNN's first dropout, ~20 ms of every training step of the Keras-style CIFAR CNN with three
// dropouts), then floors, divides and multiplies over the whole shape. While the fast kernels are
// registered, an unseeded Dropout layer (no noise shape) in training draws the same mask — each value
// kept with probability 1 - rate and scaled by 1 / (1 - rate), as tf.dropout — from a xorshift128
// generator (seeded from Math.random per call) and multiplies once (5.5 → ~1.5 ms for those 262,144
// values); its gradient is the same product.
// Seeded layers, noise shapes and inference keep tfjs-layers' code.
import * as tf from '@tensorflow/tfjs-core';
import { layerCallPatch, singleInput } from '../../compute/layer-patch';
import type { Tensor } from '@tensorflow/tfjs-core';

interface DropoutLayer {
  rate: number;
  noiseShape: unknown;
  seed: unknown;
  getClassName(): string;
  invokeCallHook(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): void;
}

/** A comparison as 0 or 1 without a branch (V8 inlines it: a setcc). */
const bit = (b: boolean): number => (b as unknown as number) | 0;

/**
 * A dropout multiplier of n values: 1 / keep with probability keep (to 1/65536), else 0, from
 * xorshift128 (Marsaglia) seeded by Math.random; each 32-bit draw decides two values by its halves.
 * In int32 arithmetic, without branches (as unsigned numbers V8 kept the state in doubles: 20 ns a
 * value; so, 4-8 ns).
 */
export function dropoutMask(n: number, keep: number): Float32Array {
  const out = new Float32Array(n);
  const scale = Math.fround(1 / Math.fround(keep));
  const threshold = Math.min(65536, Math.round(keep * 65536));
  const seed = (k: number): number => (Math.random() * 0x100000000) | 0 || k;
  let x = seed(1), y = seed(2), z = seed(3), w = seed(4);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const t = x ^ (x << 11);
    x = y; y = z; z = w;
    w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
    out[i] = scale * bit((w & 0xffff) < threshold);
    out[i + 1] = scale * bit((w >>> 16) < threshold);
  }
  if (i < n) out[i] = scale * bit(Math.random() < keep);
  return out;
}

/** Routes training Dropout layers through the fast mask (on), or puts tfjs-layers' code back (off). */
export const patchDropoutLayer = layerCallPatch('Dropout', (stock) => function (this: DropoutLayer, inputs, kwargs) {
  const x = singleInput(inputs);
  const fast = x != null && kwargs?.['training'] === true && this.getClassName() === 'Dropout' && this.noiseShape == null && this.seed == null &&
    this.rate > 0 && this.rate < 1 && x.dtype === 'float32';
  if (!fast) return stock.call(this, inputs, kwargs);
  return tf.tidy(() => {
    this.invokeCallHook(inputs, kwargs);
    return tf.mul(x, tf.tensor(dropoutMask(x.size, 1 - this.rate), x.shape, 'float32'));
  });
});
