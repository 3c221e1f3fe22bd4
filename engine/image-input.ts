// The one path from an image file to model pixels, shared by the importer, predict, feature
// maps and Grad-CAM: decode, convert to the model's channels (grayscale = BT.601 luma), then
// resize bilinearly (half-pixel centres, as tf.image.resizeBilinear with halfPixelCenters).
import { DataError } from './datasets/dataset';
import { resizeBilinear as resizeRaster } from '../common/image/resize';

/**
 * The largest image Glasswing decodes, in pixels (GLASSWING_MAX_IMAGE_PIXELS; default 40 MP). It is
 * checked from the file's header before any pixel is decoded: a small file can hold a huge image
 * (a 279 KB PNG of 16,000 × 16,000 would need gigabytes once decoded).
 */
export function maxImagePixels(): number {
  const v = Number(process.env['GLASSWING_MAX_IMAGE_PIXELS']);
  return v > 0 ? v : 40_000_000;
}

/** An image over the pixel budget: skipped (in a folder) or refused (one image), with its size named. */
export class ImageTooLargeError extends DataError {}

export function checkImageSize(width: number, height: number, label: string): void {
  const limit = maxImagePixels();
  if (width * height <= limit) return;
  const mp = (n: number) => `${(n / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} MP`;
  throw new ImageTooLargeError(`${label} is ${width.toLocaleString('en-US')}×${height.toLocaleString('en-US')} pixels (${mp(width * height)}), more than the ${mp(limit)} Glasswing decodes; scale it down to use it.`);
}

export interface DecodedImage {
  /** Pixels 0–255, height × width × channels, row-major. */
  pixels: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * Decodes any image sharp reads to RGB pixels. With `target` (the model's input size), an image
 * more than 4 times larger on both sides is first shrunk by libvips to twice the target, so a
 * camera photo costs megabytes, not hundreds of them; the final resize is the bilinear one below.
 */
export async function decodeImage(source: string | Uint8Array, label = String(source), target?: { height: number; width: number }): Promise<DecodedImage> {
  const { default: sharp } = await import('sharp');
  let meta: { width?: number; height?: number };
  try {
    meta = await sharp(source, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new DataError(`${label} cannot be decoded as an image: ${(e as Error).message.split('\n')[0]}`);
  }
  checkImageSize(meta.width ?? 0, meta.height ?? 0, label);
  try {
    let pipeline = sharp(source, { failOn: 'error', limitInputPixels: maxImagePixels() }).flatten({ background: '#000000' }).toColourspace('srgb').removeAlpha();
    if (target && meta.width && meta.height && meta.width > 4 * target.width && meta.height > 4 * target.height) {
      pipeline = pipeline.resize({ width: 2 * target.width, height: 2 * target.height, fit: 'fill', kernel: 'linear' });
    }
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const channels = info.channels;
    const rgb = new Float32Array(info.width * info.height * 3);
    for (let i = 0; i < info.width * info.height; i++) {
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * channels + (channels === 1 ? 0 : c)]!;
    }
    return { pixels: rgb, height: info.height, width: info.width, channels: 3 };
  } catch (e) {
    throw new DataError(`${label} cannot be decoded as an image: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function toChannels(img: DecodedImage, channels: number): DecodedImage {
  if (img.channels === channels) return img;
  if (img.channels === 3 && channels === 1) {
    const out = new Float32Array(img.height * img.width);
    for (let i = 0; i < out.length; i++) out[i] = 0.299 * img.pixels[i * 3]! + 0.587 * img.pixels[i * 3 + 1]! + 0.114 * img.pixels[i * 3 + 2]!;
    return { pixels: out, height: img.height, width: img.width, channels: 1 };
  }
  if (img.channels === 1 && channels === 3) {
    const out = new Float32Array(img.height * img.width * 3);
    for (let i = 0; i < img.height * img.width; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = img.pixels[i]!;
    return { pixels: out, height: img.height, width: img.width, channels: 3 };
  }
  throw new DataError(`Cannot convert an image with ${img.channels} channels to ${channels}.`);
}

/** The shared bilinear resize (common/image/resize.ts), on decoded images. */
export function resizeBilinear(img: DecodedImage, height: number, width: number): DecodedImage {
  return resizeRaster(img, height, width);
}

/** Raw model-sized pixels (0–255) for a model input of [height, width, channels]. */
export async function imageForModel(source: string | Uint8Array, inputShape: number[], label?: string): Promise<Float32Array> {
  const [h, w, c] = inputShape as [number, number, number];
  const img = resizeBilinear(toChannels(await decodeImage(source, label, { height: h, width: w }), c), h, w);
  return img.pixels;
}
