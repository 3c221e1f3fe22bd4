// The one path from an image file to model pixels, shared by the importer, predict, feature
// maps and Grad-CAM: decode, convert to the model's channels (grayscale = BT.601 luma), then
// resize bilinearly (half-pixel centres, as tf.image.resizeBilinear with halfPixelCenters).
import { DataError } from './datasets/dataset';

export interface DecodedImage {
  /** Pixels 0–255, height × width × channels, row-major. */
  pixels: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** Decodes any image sharp reads to RGB pixels at its own size. */
export async function decodeImage(source: string | Uint8Array, label = String(source)): Promise<DecodedImage> {
  const { default: sharp } = await import('sharp');
  try {
    const { data, info } = await sharp(source, { failOn: 'error' }).flatten({ background: '#000000' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
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

export function resizeBilinear(img: DecodedImage, height: number, width: number): DecodedImage {
  if (img.height === height && img.width === width) return img;
  const { channels: c, height: ih, width: iw } = img;
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

/** Raw model-sized pixels (0–255) for a model input of [height, width, channels]. */
export async function imageForModel(source: string | Uint8Array, inputShape: number[], label?: string): Promise<Float32Array> {
  const [h, w, c] = inputShape as [number, number, number];
  const img = resizeBilinear(toChannels(await decodeImage(source, label), c), h, w);
  return img.pixels;
}
