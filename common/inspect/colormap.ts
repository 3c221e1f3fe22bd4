// Colour maps shared by the engine (PNG output of the CLI) and the renderer (ImageData of the
// inspector): pure functions from a value to RGB bytes.

export type ColormapName = 'jet' | 'turbo' | 'gray';

export const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : Number.isFinite(v) ? v : 0);

/** Google's Turbo colour map (polynomial approximation by Anton Mikhailov). */
function turbo(t: number): [number, number, number] {
  const r = 0.13572138 + t * (4.6153926 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
  const g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
  const b = 0.1066733 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
  return [clamp01(r) * 255, clamp01(g) * 255, clamp01(b) * 255];
}

/** MATLAB's jet, as OpenCV's COLORMAP_JET that pytorch-grad-cam uses. */
function jet(t: number): [number, number, number] {
  const f = (x: number) => clamp01(1.5 - Math.abs(4 * t - x));
  return [f(3) * 255, f(2) * 255, f(1) * 255];
}

/** The colour of `value` in [0, 1] (clamped) as RGB bytes. */
export function colormap(value: number, name: ColormapName = 'jet'): [number, number, number] {
  const t = clamp01(value);
  if (name === 'gray') return [t * 255, t * 255, t * 255];
  return name === 'turbo' ? turbo(t) : jet(t);
}

// ColorBrewer's RdBu (reversed: negative blue, zero near white, positive red), 9 classes.
const DIVERGING: [number, number, number][] = [
  [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43],
];

/** A diverging colour for `value` in [-1, 1] (clamped): blue below zero, white at zero, red above. */
export function diverging(value: number): [number, number, number] {
  const t = (Math.max(-1, Math.min(1, Number.isFinite(value) ? value : 0)) + 1) / 2;
  const x = t * (DIVERGING.length - 1);
  const i = Math.min(DIVERGING.length - 2, Math.floor(x));
  const f = x - i;
  const a = DIVERGING[i]!;
  const b = DIVERGING[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}
