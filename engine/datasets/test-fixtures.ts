// Fixtures for the dataset tests, generated in a temporary folder (images drawn with sharp).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function tempDir(prefix = 'glasswing-data-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** RGB pixels of a solid colour, or from a function of (x, y). */
export function pixels(width: number, height: number, color: [number, number, number] | ((x: number, y: number) => [number, number, number])): Buffer {
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = typeof color === 'function' ? color(x, y) : color;
      out.set(c, (y * width + x) * 3);
    }
  }
  return out;
}

export async function writeImage(file: string, width: number, height: number, color: Parameters<typeof pixels>[2], format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' = 'png'): Promise<void> {
  const { default: sharp } = await import('sharp');
  await mkdir(path.dirname(file), { recursive: true });
  let img = sharp(pixels(width, height, color), { raw: { width, height, channels: 3 } });
  img = format === 'jpeg' ? img.jpeg({ quality: 100 }) : format === 'webp' ? img.webp({ lossless: true }) : format === 'gif' ? img.gif() : format === 'tiff' ? img.tiff() : img.png();
  await writeFile(file, await img.toBuffer());
}

/** A 24-bit bottom-up BMP (sharp cannot write BMP). */
export function bmp24(width: number, height: number, color: Parameters<typeof pixels>[2]): Buffer {
  const rgb = pixels(width, height, color);
  const stride = Math.ceil((width * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + stride * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      buf[row + x * 3] = rgb[s + 2]!;
      buf[row + x * 3 + 1] = rgb[s + 1]!;
      buf[row + x * 3 + 2] = rgb[s]!;
    }
  }
  return buf;
}

/** An 8-bit palette BMP, top-down, each pixel an index into `palette` (RGB triples). */
export function bmp8(width: number, height: number, palette: [number, number, number][], index: (x: number, y: number) => number): Buffer {
  const stride = Math.ceil(width / 4) * 4;
  const offset = 54 + palette.length * 4;
  const buf = Buffer.alloc(offset + stride * height);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(offset, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(-height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(8, 28);
  buf.writeUInt32LE(palette.length, 46);
  palette.forEach(([r, g, b], i) => buf.set([b, g, r, 0], 54 + i * 4));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) buf[offset + y * stride + x] = index(x, y);
  return buf;
}

/**
 * Images far over the pixel budget in small files: a 16,000 × 16,000 PNG of one colour (a few
 * hundred KB) and a real 1-bit 30,000 × 30,000 BMP (112 MB, written sparse: header and palette,
 * then zeros the file system need not store).
 */
export async function writeHugeImages(pngFile: string, bmpFile: string): Promise<void> {
  const { default: sharp } = await import('sharp');
  await mkdir(path.dirname(pngFile), { recursive: true });
  await mkdir(path.dirname(bmpFile), { recursive: true });
  const png = await sharp({ create: { width: 16_000, height: 16_000, channels: 3, background: '#000000' }, limitInputPixels: false }).greyscale().png({ compressionLevel: 9 }).toBuffer();
  await writeFile(pngFile, png);
  const width = 30_000;
  const height = 30_000;
  const stride = Math.floor((width + 31) / 32) * 4;
  const header = Buffer.alloc(62);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(62 + stride * height, 2);
  header.writeUInt32LE(62, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(1, 28);
  header.writeUInt32LE(stride * height, 34);
  header.writeUInt32LE(2, 46);
  header.writeUInt32LE(0xffffff, 58);
  const { open } = await import('node:fs/promises');
  const handle = await open(bmpFile, 'w');
  try {
    await handle.write(header, 0, header.length, 0);
    await handle.truncate(62 + stride * height);
  } finally {
    await handle.close();
  }
}
