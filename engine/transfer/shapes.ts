// A generated image set for transfer learning: small shapes (circle, square, triangle, cross,
// ring, bar) at random positions, sizes and colours on noisy backgrounds. Deterministic per seed.
import type { Dataset } from '../datasets/dataset';
import { seededRandom } from '../../compute/random';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross', 'ring', 'bar'] as const;

export interface ShapesOptions {
  perClass: number;
  size?: number;
  channels?: 1 | 3;
  classes?: number;
  seed?: number;
}

function inside(kind: string, dx: number, dy: number, r: number, angle: number): boolean {
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const u = dx * ca + dy * sa;
  const v = -dx * sa + dy * ca;
  switch (kind) {
    case 'circle':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.abs(u) <= r * 0.8 && Math.abs(v) <= r * 0.8;
    case 'triangle': {
      // Upward triangle in the rotated frame.
      const t = v + r * 0.6;
      return t >= 0 && t <= r * 1.5 && Math.abs(u) <= (r * 1.5 - t) * 0.6;
    }
    case 'cross':
      return (Math.abs(u) <= r * 0.25 && Math.abs(v) <= r) || (Math.abs(v) <= r * 0.25 && Math.abs(u) <= r);
    case 'ring': {
      const d = Math.sqrt(dx * dx + dy * dy);
      return d <= r && d >= r * 0.55;
    }
    default:
      return Math.abs(u) <= r && Math.abs(v) <= r * 0.22;
  }
}

export function generateShapes(options: ShapesOptions): Dataset {
  const size = options.size ?? 32;
  const channels = options.channels ?? 3;
  const classes = SHAPE_CLASSES.slice(0, options.classes ?? SHAPE_CLASSES.length);
  const random = seededRandom(options.seed ?? 7);
  const count = options.perClass * classes.length;
  const x = new Uint8Array(count * size * size * channels);
  const y = new Float32Array(count);
  let i = 0;
  for (let n = 0; n < options.perClass; n++) {
    for (let k = 0; k < classes.length; k++, i++) {
      y[i] = k;
      const r = size * (0.18 + random() * 0.16);
      const cx = r + random() * (size - 2 * r);
      const cy = r + random() * (size - 2 * r);
      const angle = random() * Math.PI;
      const bg = Array.from({ length: channels }, () => 20 + random() * 90);
      const fg = Array.from({ length: channels }, () => 140 + random() * 115);
      for (let py = 0; py < size; py++) {
        for (let px = 0; px < size; px++) {
          const on = inside(classes[k]!, px + 0.5 - cx, py + 0.5 - cy, r, angle);
          for (let c = 0; c < channels; c++) {
            const v = (on ? fg[c]! : bg[c]!) + (random() - 0.5) * 50;
            x[((i * size + py) * size + px) * channels + c] = Math.max(0, Math.min(255, Math.round(v)));
          }
        }
      }
    }
  }
  return {
    id: `shapes-${size}`,
    name: `Generated shapes (${count} images, ${size}×${size})`,
    kind: 'images',
    task: 'classification',
    x,
    inputShape: [size, size, channels],
    y,
    classes: [...classes],
    count,
    featureNames: [],
    fixedPreprocessing: { kind: 'image', height: size, width: size, channels, scale: 1 / 255, mean: new Array(channels).fill(0.5), std: new Array(channels).fill(0.25) },
  };
}
