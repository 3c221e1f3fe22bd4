// Image augmentation on the fly: each image of a batch gets a random horizontal flip, small
// rotation, shift and zoom (as Keras's RandomFlip/RandomRotation/RandomTranslation/RandomZoom),
// sampled bilinearly with edges repeated ("nearest" fill). Pure: the input batch is not changed,
// and the same `random` sequence gives the same batch.

export interface AugmentOptions {
  /** Flip left–right with probability 1/2. */
  flip?: boolean;
  /** Largest rotation either way, in degrees (e.g. 10). */
  rotation?: number;
  /** Largest shift either way, as a fraction of the width and height (e.g. 0.1). */
  shift?: number;
  /** Largest zoom either way, as a fraction (0.1: scale 0.9–1.1). */
  zoom?: number;
}

export function hasAugmentation(o: AugmentOptions | null | undefined): boolean {
  return !!o && (!!o.flip || (o.rotation ?? 0) > 0 || (o.shift ?? 0) > 0 || (o.zoom ?? 0) > 0);
}

/**
 * Augments a batch of images, x: Float32Array in NHWC order with shape [n, height, width, channels].
 * `random` returns numbers in [0, 1), e.g. seededRandom(seed) from engine/random.
 */
export function augmentBatch(x: Float32Array, shape: readonly number[], options: AugmentOptions, random: () => number): Float32Array {
  const [n, h, w, c] = shape as [number, number, number, number];
  if (shape.length !== 4 || n * h * w * c !== x.length) throw new Error(`augmentBatch: shape [${shape.join(', ')}] does not match ${x.length} values.`);
  const out = new Float32Array(x.length);
  if (!hasAugmentation(options)) {
    out.set(x);
    return out;
  }
  const size = h * w * c;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const span = (max: number | undefined) => (max && max > 0 ? (random() * 2 - 1) * max : 0);
  for (let i = 0; i < n; i++) {
    const flip = options.flip ? random() < 0.5 : false;
    const angle = (span(options.rotation) * Math.PI) / 180;
    const tx = span(options.shift) * w;
    const ty = span(options.shift) * h;
    const scale = 1 + span(options.zoom);
    const cos = Math.cos(angle) / scale;
    const sin = Math.sin(angle) / scale;
    const base = i * size;
    for (let yo = 0; yo < h; yo++) {
      for (let xo = 0; xo < w; xo++) {
        // Output pixel → source pixel: undo the shift, the rotation and the zoom about the centre.
        const u = xo - cx - tx;
        const v = yo - cy - ty;
        let xs = cx + cos * u + sin * v;
        const ys = Math.min(h - 1, Math.max(0, cy - sin * u + cos * v));
        if (flip) xs = w - 1 - xs;
        xs = Math.min(w - 1, Math.max(0, xs));
        const x0 = Math.floor(xs);
        const y0 = Math.floor(ys);
        const x1 = Math.min(x0 + 1, w - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const dx = xs - x0;
        const dy = ys - y0;
        const o = base + (yo * w + xo) * c;
        for (let k = 0; k < c; k++) {
          const a = x[base + (y0 * w + x0) * c + k]!;
          const b = x[base + (y0 * w + x1) * c + k]!;
          const d = x[base + (y1 * w + x0) * c + k]!;
          const e = x[base + (y1 * w + x1) * c + k]!;
          const top = a + (b - a) * dx;
          out[o + k] = top + (d + (e - d) * dx - top) * dy;
        }
      }
    }
  }
  return out;
}
