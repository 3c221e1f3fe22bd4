// Bilinear resizing with half-pixel centres (as tf.image.resizeBilinear with halfPixelCenters):
// the one resize of every image path — the engine's importer, predict, feature maps and CAMs, and
// the renderer's CAM overlays — so what a person sees is what the model saw.

export interface Raster {
  /** Values row-major, height × width × channels. */
  pixels: ArrayLike<number>;
  height: number;
  width: number;
  channels: number;
}

export function resizeBilinear(img: Raster, height: number, width: number): Raster & { pixels: Float32Array } {
  const { channels: c, height: ih, width: iw } = img;
  if (ih === height && iw === width) return { ...img, pixels: img.pixels instanceof Float32Array ? img.pixels : Float32Array.from(img.pixels) };
  const out = new Float32Array(height * width * c);
  const sy = ih / height;
  const sx = iw / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), ih - 1);
    const y1 = Math.min(y0 + 1, ih - 1);
    const dy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(Math.floor(fx), iw - 1);
      const x1 = Math.min(x0 + 1, iw - 1);
      const dx = fx - x0;
      for (let k = 0; k < c; k++) {
        const a = img.pixels[(y0 * iw + x0) * c + k]!;
        const b = img.pixels[(y0 * iw + x1) * c + k]!;
        const d = img.pixels[(y1 * iw + x0) * c + k]!;
        const e = img.pixels[(y1 * iw + x1) * c + k]!;
        const top = a + (b - a) * dx;
        const bottom = d + (e - d) * dx;
        out[(y * width + x) * c + k] = top + (bottom - top) * dy;
      }
    }
  }
  return { pixels: out, height, width, channels: c };
}
