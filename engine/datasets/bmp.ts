// Windows bitmaps, which sharp (libvips) does not read: uncompressed 1/4/8-bit palette images and
// 16/24/32-bit images, bottom-up or top-down, with or without bit-field masks. RLE-compressed
// bitmaps are refused with a clear reason.
import { DataError } from './dataset';
import { checkImageSize, type DecodedImage } from '../image-input';

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/** Decodes a BMP to RGB pixels 0–255 (as decodeImage returns them). */
export function decodeBmp(bytes: Uint8Array, label = 'the image'): DecodedImage {
  const fail = (why: string): never => {
    throw new DataError(`${label} cannot be decoded as an image: ${why}`);
  };
  if (!isBmp(bytes) || bytes.length < 26) fail('not a BMP file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = 0;
  let colorsUsed = 0;
  let paletteEntrySize = 4;
  if (headerSize === 12) {
    width = view.getUint16(18, true);
    height = view.getInt16(20, true);
    bpp = view.getUint16(24, true);
    paletteEntrySize = 3;
  } else if (headerSize >= 40) {
    if (bytes.length < 14 + 40) fail('the file is truncated');
    width = view.getInt32(18, true);
    height = view.getInt32(22, true);
    bpp = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    colorsUsed = view.getUint32(46, true);
  } else return fail(`unknown BMP header size ${headerSize}`);
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0 || width > 65536 || height > 65536) fail(`bad BMP size ${width}×${height}`);
  // From the header, before a pixel is allocated: a 1-bit 30,000 × 30,000 bitmap would need 10 GB as floats.
  checkImageSize(width, height, label);
  if (compression === 1 || compression === 2) fail('RLE-compressed BMP files are not supported; save it as PNG');
  if (compression !== 0 && compression !== 3 && compression !== 6) fail(`BMP compression ${compression} is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) fail(`${bpp}-bit BMP files are not supported`);
  // Bit-field masks: inside a V2+ header, or right after a 40-byte header.
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (compression === 3 || compression === 6) {
    if (bytes.length < 14 + 40 + 12) fail('the file is truncated');
    masks = [view.getUint32(54, true), view.getUint32(58, true), view.getUint32(62, true)];
  }
  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const entries = colorsUsed || 1 << bpp;
    const start = 14 + headerSize;
    if (start + entries * paletteEntrySize > bytes.length) fail('the file is truncated');
    palette = new Uint8Array(entries * 3);
    for (let i = 0; i < entries; i++) {
      // Palette entries are stored blue, green, red.
      palette[i * 3] = bytes[start + i * paletteEntrySize + 2]!;
      palette[i * 3 + 1] = bytes[start + i * paletteEntrySize + 1]!;
      palette[i * 3 + 2] = bytes[start + i * paletteEntrySize]!;
    }
  }
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) fail('the file is truncated');
  const fields = masks.map(maskShift);
  const pixels = new Float32Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const y = topDown ? row : height - 1 - row;
    const base = dataOffset + row * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const bit = x * bpp;
        const byte = bytes[base + (bit >> 3)]!;
        const index = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const p = Math.min(index, palette.length / 3 - 1) * 3;
        pixels[o] = palette[p]!;
        pixels[o + 1] = palette[p + 1]!;
        pixels[o + 2] = palette[p + 2]!;
      } else if (bpp === 24) {
        pixels[o] = bytes[base + x * 3 + 2]!;
        pixels[o + 1] = bytes[base + x * 3 + 1]!;
        pixels[o + 2] = bytes[base + x * 3]!;
      } else {
        const v = bpp === 16 ? view.getUint16(base + x * 2, true) : view.getUint32(base + x * 4, true);
        for (let k = 0; k < 3; k++) {
          const { shift, max } = fields[k]!;
          pixels[o + k] = max ? Math.round((((v & masks[k]!) >>> shift) * 255) / max) : 0;
        }
      }
    }
  }
  return { pixels, height, width, channels: 3 };
}
