// Generates a small image-folder dataset: three classes of simple shapes (circle, square,
// triangle) at random positions and sizes, one sub-folder per class.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function makeShapesFolder(dir: string, perClass = 60, size = 56, seed = 7): Promise<void> {
  const random = rng(seed);
  for (const shape of ['circle', 'square', 'triangle']) {
    mkdirSync(path.join(dir, shape), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const r = size * (0.18 + random() * 0.14);
      const cx = r + 2 + random() * (size - 2 * r - 4);
      const cy = r + 2 + random() * (size - 2 * r - 4);
      const body =
        shape === 'circle'
          ? `<circle cx="${cx}" cy="${cy}" r="${r}" fill="white"/>`
          : shape === 'square'
            ? `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="white"/>`
            : `<polygon points="${cx},${cy - r} ${cx - r},${cy + r} ${cx + r},${cy + r}" fill="white"/>`;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="black"/>${body}</svg>`;
      await sharp(Buffer.from(svg)).png().toFile(path.join(dir, shape, `${shape}-${i}.png`));
    }
  }
}
