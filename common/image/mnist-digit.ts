// A hand-drawn digit prepared as MNIST prepared its digits (LeCun et al.): cropped to the ink,
// size-normalised to fit a 20 × 20 box keeping its aspect ratio (anti-aliased, which gives grey
// levels at the edges), then placed in a 28 × 28 field so that its centre of mass sits at the
// centre. A digit drawn large, small or off-centre then looks to the model like the digits it
// learned from.

export interface DigitOptions {
  /** The box the digit is scaled to fit (MNIST: 20). */
  box?: number;
  /** The field it is centred in (MNIST: 28). */
  size?: number;
  /** Ink is what exceeds this fraction of the brightest pixel (default 0.1). */
  threshold?: number;
}

/** Area-averaging resize of one axis: out[i] is the mean of in over [i·s, (i+1)·s), s = n / m. */
function resampleAxis(src: Float32Array, rows: number, n: number, m: number, stride: number, step: number, outStride: number, outStep: number, out: Float32Array): void {
  const s = n / m;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m; i++) {
      const a = i * s;
      const b = (i + 1) * s;
      let sum = 0;
      for (let k = Math.floor(a); k < Math.min(n, Math.ceil(b)); k++) {
        const w = Math.min(b, k + 1) - Math.max(a, k);
        if (w > 0) sum += w * src[r * stride + k * step]!;
      }
      out[r * outStride + i * outStep] = sum / s;
    }
  }
}

/** Resizes a grey image by averaging the area each output pixel covers (anti-aliased). */
export function resizeArea(pixels: Float32Array, height: number, width: number, outHeight: number, outWidth: number): Float32Array {
  const across = new Float32Array(height * outWidth);
  resampleAxis(pixels, height, width, outWidth, width, 1, outWidth, 1, across);
  const out = new Float32Array(outHeight * outWidth);
  resampleAxis(across, outWidth, height, outHeight, 1, outWidth, 1, outWidth, out);
  return out;
}

/**
 * A grey drawing (white ink on black, 0–255, height × width) as a 28 × 28 MNIST-style digit
 * (0–255). A blank drawing gives a blank field.
 */
export function mnistStyleDigit(pixels: ArrayLike<number>, height: number, width: number, options: DigitOptions = {}): Float32Array {
  const box = options.box ?? 20;
  const size = options.size ?? 28;
  const out = new Float32Array(size * size);
  let max = 0;
  for (let i = 0; i < height * width; i++) if (pixels[i]! > max) max = pixels[i]!;
  if (max <= 0) return out;
  const cut = max * (options.threshold ?? 0.1);
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[y * width + x]! <= cut) continue;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
    }
  }
  const h = bottom - top + 1;
  const w = right - left + 1;
  const crop = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) crop[y * w + x] = pixels[(top + y) * width + left + x]!;
  // The longer side becomes `box` pixels; the other keeps the proportion.
  const scale = box / Math.max(h, w);
  const sh = Math.max(1, Math.round(h * scale));
  const sw = Math.max(1, Math.round(w * scale));
  const small = resizeArea(crop, h, w, sh, sw);
  let mass = 0;
  let cy = 0;
  let cx = 0;
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const v = small[y * sw + x]!;
      mass += v;
      cy += v * y;
      cx += v * x;
    }
  }
  cy /= mass;
  cx /= mass;
  // Whole-pixel shift (no second resampling), kept inside the field.
  const oy = Math.min(size - sh, Math.max(0, Math.round(size / 2 - cy)));
  const ox = Math.min(size - sw, Math.max(0, Math.round(size / 2 - cx)));
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) out[(oy + y) * size + ox + x] = Math.min(255, small[y * sw + x]!);
  return out;
}
