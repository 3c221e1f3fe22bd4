// A harder image-folder dataset for transfer learning: the six shape classes of the transfer bench
// (circle, square, triangle, cross, ring, bar) at random positions, sizes, angles and colours on
// noisy backgrounds, drawn by the engine's generator and written as PNGs, one sub-folder per class.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { generateShapes } from '../engine/transfer/shapes';

export async function makeManyShapesFolder(dir: string, options: { perClass?: number; size?: number; channels?: 1 | 3; classes?: number; seed?: number } = {}): Promise<{ classes: string[]; count: number }> {
  const size = options.size ?? 56;
  const channels = options.channels ?? 3;
  const data = generateShapes({ perClass: options.perClass ?? 50, size, channels, classes: options.classes, seed: options.seed ?? 7 });
  const n = size * size * channels;
  const seen = new Map<string, number>();
  for (let i = 0; i < data.count; i++) {
    const cls = data.classes[data.y[i]!]!;
    const k = seen.get(cls) ?? 0;
    seen.set(cls, k + 1);
    if (k === 0) mkdirSync(path.join(dir, cls), { recursive: true });
    const pixels = Buffer.from((data.x as Uint8Array).subarray(i * n, (i + 1) * n));
    await sharp(pixels, { raw: { width: size, height: size, channels } }).png().toFile(path.join(dir, cls, `${cls}-${k}.png`));
  }
  return { classes: data.classes, count: data.count };
}
