// Helpers for the kernel tests: run the same computation on stock and fast kernels and compare.
import { tf } from '../backends';
import { registerFastKernels, unregisterFastKernels } from './index';

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
export function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function randInt(lo: number, hi: number, seed: number): number {
  return lo + Math.floor(((rand(1, seed)[0]! + 1) / 2) * (hi - lo + 1));
}

/** Runs `f` with the stock kernels on `backend` and returns its values. */
export async function stock(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  unregisterFastKernels();
  await tf.setBackend(backend);
  try {
    return tf.tidy(f).dataSync() as Float32Array;
  } finally {
    registerFastKernels();
  }
}

/** Runs `f` with the fast kernels on `backend` and returns its values. */
export async function fast(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  registerFastKernels();
  await tf.setBackend(backend);
  return tf.tidy(f).dataSync() as Float32Array;
}

/** max |a - b| relative to max |b| (at least 1), so tiny reference values do not inflate the error. */
export function relErr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0, scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-3);
}
