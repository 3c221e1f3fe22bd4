// Turning maps into pictures: bilinear upsampling of a CAM to the input size (the same resize as
// the image path), colour maps, the heat-map overlay, and PNG encoding with sharp. The pixel
// functions are pure (RGB bytes in, RGB bytes out) so a renderer can reuse them for ImageData.
import { resizeBilinear, type DecodedImage } from '../image-input';
import { colormap, type ColormapName } from '../../common/inspect/colormap';
import { blendHeat } from '../../common/inspect/overlay';

// The colour maps themselves are pure and shared with the renderer.
export { colormap, type ColormapName } from '../../common/inspect/colormap';

/** A CAM (h × w, values in [0, 1]) resized bilinearly (half-pixel centres) to height × width. */
export function upsampleCam(cam: Float32Array, shape: readonly [number, number] | readonly number[], height: number, width: number): Float32Array {
  const [h, w] = shape as [number, number];
  return resizeBilinear({ pixels: cam, height: h, width: w, channels: 1 }, height, width).pixels;
}

/** An RGB image (0–255) from model-sized pixels with 1 or 3 channels. */
export function toRgb(img: DecodedImage): Uint8Array {
  const out = new Uint8Array(img.height * img.width * 3);
  for (let p = 0; p < img.height * img.width; p++) {
    for (let ch = 0; ch < 3; ch++) out[p * 3 + ch] = Math.max(0, Math.min(255, Math.round(img.pixels[p * img.channels + (img.channels === 1 ? 0 : ch)]!)));
  }
  return out;
}

export interface OverlayOptions {
  colormap?: ColormapName;
  /** Weight of the heat map in the blend, 0–1 (default 0.5, as pytorch-grad-cam's show_cam_on_image). */
  alpha?: number;
}

/** The CAM, upsampled to the image, coloured and blended over it: RGB bytes, image size. */
export function overlayRgb(image: DecodedImage, cam: Float32Array, camShape: readonly number[], options: OverlayOptions = {}): Uint8Array {
  return blendHeat(toRgb(image), upsampleCam(cam, camShape, image.height, image.width), options.alpha ?? 0.5, options.colormap ?? 'jet');
}

/** Values mapped through a colour map with one shared scale [min, max]: RGB bytes. */
export function colouredRgb(values: ArrayLike<number>, min: number, max: number, name: ColormapName = 'gray'): Uint8Array {
  const out = new Uint8Array(values.length * 3);
  const range = max - min || 1;
  for (let i = 0; i < values.length; i++) {
    const c = colormap((values[i]! - min) / range, name);
    out[i * 3] = Math.round(c[0]);
    out[i * 3 + 1] = Math.round(c[1]);
    out[i * 3 + 2] = Math.round(c[2]);
  }
  return out;
}

/** PNG bytes of an RGB image, optionally enlarged `zoom` times with nearest-neighbour pixels. */
export async function rgbToPng(rgb: Uint8Array, height: number, width: number, zoom = 1): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  let img = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } });
  if (zoom > 1) img = img.resize(width * zoom, height * zoom, { kernel: 'nearest' });
  return img.png().toBuffer();
}

/** The overlay PNG at the image's (model input's) resolution. */
export async function camOverlayPng(image: DecodedImage, cam: Float32Array, camShape: readonly number[], options: OverlayOptions & { zoom?: number } = {}): Promise<Buffer> {
  return rgbToPng(overlayRgb(image, cam, camShape, options), image.height, image.width, options.zoom ?? 1);
}

/**
 * One PNG per channel of a feature map [h, w, c], all on the layer's shared scale (min..max over
 * every channel), so channels can be compared by brightness.
 */
export async function featureMapPngs(shape: readonly number[], data: Float32Array, options: { colormap?: ColormapName; zoom?: number } = {}): Promise<Buffer[]> {
  const [h, w, c] = shape as [number, number, number];
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out: Buffer[] = [];
  for (let k = 0; k < c; k++) {
    const channel = new Float32Array(h * w);
    for (let p = 0; p < h * w; p++) channel[p] = data[p * c + k]!;
    out.push(await rgbToPng(colouredRgb(channel, min, max, options.colormap ?? 'gray'), h, w, options.zoom ?? 1));
  }
  return out;
}
