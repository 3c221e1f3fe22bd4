// Drawing for the inspector: feature maps, filters, CAM overlays and bar strips as ImageData (or
// plain canvas calls), so components only mount canvases. One diverging scale per layer: a value
// v is coloured by v / s with s = max(|min|, |max|) over the whole layer, zero always white.
import { colormap, diverging, type ColormapName } from '../../../common/inspect/colormap';
import { blendHeat } from '../../../common/inspect/overlay';
import { resizeBilinear } from '../../../common/image/resize';
import type { PixelImage } from '../../../common/ipc/contract';

export { colormap, diverging };

/** The symmetric scale of a layer: the largest magnitude (1 for an all-zero layer). */
export function symmetricScale(min: number, max: number): number {
  const s = Math.max(Math.abs(min), Math.abs(max));
  return s > 0 && Number.isFinite(s) ? s : 1;
}

export function decodePixels(img: PixelImage): Uint8Array {
  const bin = atob(img.pixels);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function imageData(width: number, height: number): ImageData {
  return new ImageData(width, height);
}

/** The model-sized image, gray or RGB. */
export function pixelImageData(img: PixelImage): ImageData {
  const px = decodePixels(img);
  const out = imageData(img.width, img.height);
  for (let p = 0; p < img.width * img.height; p++) {
    for (let ch = 0; ch < 3; ch++) out.data[p * 4 + ch] = px[p * img.channels + (img.channels === 1 ? 0 : ch)]!;
    out.data[p * 4 + 3] = 255;
  }
  return out;
}

/** Channel `k` of an [h, w, c] map (channel fastest), on the diverging scale ±scale. */
export function channelImageData(data: ArrayLike<number>, h: number, w: number, c: number, k: number, scale: number): ImageData {
  const out = imageData(w, h);
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = diverging(data[p * c + k]! / scale);
    out.data[p * 4] = r;
    out.data[p * 4 + 1] = g;
    out.data[p * 4 + 2] = b;
    out.data[p * 4 + 3] = 255;
  }
  return out;
}

/** One kernel slice of Conv2D weights [kh, kw, cin, cout]: input channel `i`, output channel `o`. */
export function kernelImageData(data: ArrayLike<number>, kh: number, kw: number, cin: number, cout: number, i: number, o: number, scale: number): ImageData {
  const out = imageData(kw, kh);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      const [r, g, b] = diverging(data[((y * kw + x) * cin + i) * cout + o]! / scale);
      const p = (y * kw + x) * 4;
      out.data[p] = r;
      out.data[p + 1] = g;
      out.data[p + 2] = b;
      out.data[p + 3] = 255;
    }
  }
  return out;
}

/** A map resized bilinearly with half-pixel centres (the engine's image path does the same). */
export function upsample(values: ArrayLike<number>, h: number, w: number, height: number, width: number): Float32Array {
  return resizeBilinear({ pixels: values, height: h, width: w, channels: 1 }, height, width).pixels;
}

/**
 * The CAM upsampled to `size` × `size` (smooth) over the image enlarged with nearest pixels, blended
 * with weight `alpha` for the heat (0: the image alone, 1: the heat alone).
 */
export function camOverlayImageData(img: PixelImage | null, cam: ArrayLike<number>, camShape: readonly number[], alpha: number, size = 224, name: ColormapName = 'jet'): ImageData {
  const H = img ? img.height : camShape[0]!;
  const W = img ? img.width : camShape[1]!;
  const zoom = Math.max(1, Math.round(size / Math.max(H, W)));
  const oh = H * zoom;
  const ow = W * zoom;
  const heat = upsample(cam, camShape[0]!, camShape[1]!, oh, ow);
  // The picture enlarged with nearest pixels (crisp), the heat smooth.
  let base: Uint8Array | null = null;
  if (img) {
    const px = decodePixels(img);
    base = new Uint8Array(oh * ow * 3);
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const src = Math.floor(y / zoom) * W + Math.floor(x / zoom);
        for (let ch = 0; ch < 3; ch++) base[(y * ow + x) * 3 + ch] = px[src * img.channels + (img.channels === 1 ? 0 : ch)]!;
      }
    }
  }
  const rgb = blendHeat(base, heat, alpha, name);
  const out = imageData(ow, oh);
  for (let p = 0; p < oh * ow; p++) {
    out.data.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
    out.data[p * 4 + 3] = 255;
  }
  return out;
}

/** A small heat map alone (values in [0, 1]) at its own resolution. */
export function heatImageData(values: ArrayLike<number>, h: number, w: number, name: ColormapName = 'jet'): ImageData {
  const out = imageData(w, h);
  for (let p = 0; p < h * w; p++) {
    const c = colormap(values[p]!, name);
    out.data[p * 4] = c[0];
    out.data[p * 4 + 1] = c[1];
    out.data[p * 4 + 2] = c[2];
    out.data[p * 4 + 3] = 255;
  }
  return out;
}

/** Dense units as bars from a zero line, coloured on the layer's diverging scale. */
export function drawBars(ctx: CanvasRenderingContext2D, values: ArrayLike<number>, scale: number, width: number, height: number, highlight = -1): void {
  ctx.clearRect(0, 0, width, height);
  const n = values.length;
  const mid = height / 2;
  ctx.fillStyle = '#e5e7eb';
  ctx.fillRect(0, mid - 0.5, width, 1);
  const bw = width / Math.max(1, n);
  for (let i = 0; i < n; i++) {
    const v = values[i]! / scale;
    const [r, g, b] = diverging(v);
    ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
    const h = Math.max(1, Math.abs(v) * (mid - 2));
    ctx.fillRect(i * bw + (bw > 3 ? 0.5 : 0), v >= 0 ? mid - h : mid, Math.max(1, bw - (bw > 3 ? 1 : 0)), h);
  }
  if (highlight >= 0 && highlight < n) {
    ctx.strokeStyle = '#111827';
    ctx.lineWidth = 1;
    ctx.strokeRect(highlight * bw + 0.5, 0.5, Math.max(1, bw - 1), height - 1);
  }
}

/** A horizontal legend for the diverging scale: −s … 0 … +s. */
export function legendImageData(width = 160): ImageData {
  const out = imageData(width, 1);
  for (let x = 0; x < width; x++) {
    const [r, g, b] = diverging((x / (width - 1)) * 2 - 1);
    out.data[x * 4] = r;
    out.data[x * 4 + 1] = g;
    out.data[x * 4 + 2] = b;
    out.data[x * 4 + 3] = 255;
  }
  return out;
}

/** A horizontal legend for a heat colour map: 0 … 1. */
export function heatLegendImageData(width = 160, name: ColormapName = 'jet'): ImageData {
  const values = Array.from({ length: width }, (_, x) => x / (width - 1));
  return heatImageData(values, 1, width, name);
}

/** Formats an activation or weight for hover read-outs. */
export function formatValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.001 ? v.toExponential(2) : v.toFixed(a >= 10 ? 2 : 3);
}
