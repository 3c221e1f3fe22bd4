// The built-in "watermark" dataset, for the shortcut audit: two classes of random shapes on noise,
// drawn from the same distribution, that differ ONLY by a faint mark in the bottom-right corner of
// every image of class B. A model reaches ~100% accuracy by reading the mark; Grad-CAM and the audit
// show it looking at the corner. Generated, deterministic for a seed, nothing on disk.
import type { DatasetInfo } from '../../common/ipc/contract';
import type { Dataset } from './dataset';
import { seededRandom } from '../../compute/random';

export interface WatermarkOptions {
  /** Images in all (half per class, alternating A, B, A, …). Default 600. */
  count?: number;
  /** Side in pixels (square, grayscale). Default 28. */
  size?: number;
  seed?: number;
  /** How much the mark adds to the pixels under it (0–255). Default 70. */
  markIntensity?: number;
}

export const WATERMARK_CLASSES = ['A', 'B'];

export const WATERMARK_DATASET_INFO: DatasetInfo = {
  id: 'watermark',
  name: 'Watermark (a shortcut)',
  description: 'Random shapes, 28×28 grayscale, two classes that differ only by a faint mark in the corner of every B image.',
  kind: 'images',
  examples: 600,
  inputShape: [28, 28, 1],
  classes: WATERMARK_CLASSES,
};

/** Where the mark sits: rows y0..y1-1, columns x0..x1-1 (a 4×4 ring, 1 pixel from the corner). */
export function watermarkBox(size: number): { y0: number; x0: number; y1: number; x1: number } {
  return { y0: size - 5, x0: size - 5, y1: size - 1, x1: size - 1 };
}

export function watermarkDataset(options: WatermarkOptions = {}): Dataset {
  const count = options.count ?? 600;
  const size = options.size ?? 28;
  const mark = options.markIntensity ?? 70;
  const random = seededRandom(options.seed ?? 1);
  const n = size * size;
  const x = new Float32Array(count * n);
  const y = new Float32Array(count);
  const box = watermarkBox(size);
  // Shapes stay out of the corner square that holds the mark, in both classes alike.
  const keepOut = (r: number, c: number) => r >= box.y0 - 1 && c >= box.x0 - 1;
  for (let i = 0; i < count; i++) {
    const img = x.subarray(i * n, (i + 1) * n);
    for (let p = 0; p < n; p++) img[p] = Math.floor(random() * 50);
    const shapes = 1 + Math.floor(random() * 3);
    for (let s = 0; s < shapes; s++) {
      const disc = random() < 0.5;
      const half = 2 + Math.floor(random() * Math.max(1, size / 7));
      const cy = half + Math.floor(random() * (size - 2 * half));
      const cx = half + Math.floor(random() * (size - 2 * half));
      const value = 120 + Math.floor(random() * 136);
      for (let r = cy - half; r <= cy + half; r++) {
        for (let c = cx - half; c <= cx + half; c++) {
          if (r < 0 || c < 0 || r >= size || c >= size || keepOut(r, c)) continue;
          if (disc && (r - cy) ** 2 + (c - cx) ** 2 > half * half) continue;
          img[r * size + c] = value;
        }
      }
    }
    const label = i % 2;
    y[i] = label;
    if (label === 1) {
      for (let r = box.y0; r < box.y1; r++) {
        for (let c = box.x0; c < box.x1; c++) {
          const ring = r === box.y0 || r === box.y1 - 1 || c === box.x0 || c === box.x1 - 1;
          if (ring) img[r * size + c] = Math.min(255, img[r * size + c]! + mark);
        }
      }
    }
  }
  return {
    id: 'watermark',
    name: WATERMARK_DATASET_INFO.name,
    kind: 'images',
    task: 'classification',
    x,
    inputShape: [size, size, 1],
    y,
    classes: WATERMARK_CLASSES,
    count,
    featureNames: [],
    fixedPreprocessing: { kind: 'image', height: size, width: size, channels: 1, scale: 1 / 255, mean: [0], std: [1] },
  };
}
