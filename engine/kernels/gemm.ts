// Matrix multiply over the SIMD runtime's arena, split across its threads. Operands are described by
// byte addresses and element strides, so transposed operands cost nothing extra.
import type { SimdJob, SimdRuntime } from './simd/runtime';

export interface Operand {
  /** Byte address in the runtime's memory. */
  addr: number;
  /** Element stride between rows. */
  rs: number;
  /** Element stride between columns. */
  cs: number;
}

const MR = 6; // the micro-kernel's rows (kernels.as)
const NR = 8; // its columns
/** Below this many multiply-adds, waking helper threads costs more than it saves. */
const PARALLEL_MIN_FLOPS = 150_000;

/**
 * C[M,N] (row stride ldc, byte address c) += A[M,K] * B[K,N], or C = A * B when `overwrite` (then C
 * need not be zeroed first).
 * Splits rows of C across threads when there are enough, else columns, else the K dimension (each
 * thread then sums into a private buffer, reduced at the end: same result up to float rounding).
 */
export function gemm(rt: SimdRuntime, M: number, N: number, K: number, A: Operand, B: Operand, c: number, ldc: number, overwrite = false): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (overwrite) for (let i = 0; i < M; i++) rt.zero(c + i * ldc * 4, N);
    return;
  }
  const T = M * N * K < PARALLEL_MIN_FLOPS ? 1 : rt.threads;
  const work = rt.alloc((rt.workBytes * T) / 4 + 16 * T);
  const workOf = (t: number): number => work + t * (rt.workBytes + 64);
  const job = (m0: number, m1: number, n0: number, n1: number, k0: number, k1: number, cAddr: number, cld: number, t: number, over = overwrite): SimdJob => ({
    fn: 'gemm',
    args: [m1 - m0, n1 - n0, k1 - k0,
      A.addr + (m0 * A.rs + k0 * A.cs) * 4, A.rs, A.cs,
      B.addr + (k0 * B.rs + n0 * B.cs) * 4, B.rs, B.cs,
      cAddr, cld, workOf(t), over ? 1 : 0],
  });
  if (T === 1) {
    rt.run([job(0, M, 0, N, 0, K, c, ldc, 0)]);
    return;
  }
  const jobs: SimdJob[] = [];
  if (M >= T * MR * 4) {
    const split = splitAligned(M, T, MR);
    for (let t = 0; t < T; t++) jobs.push(job(split[t]!, split[t + 1]!, 0, N, 0, K, c + split[t]! * ldc * 4, ldc, t));
    rt.run(jobs);
  } else if (N >= T * NR * 4) {
    const split = splitAligned(N, T, NR);
    for (let t = 0; t < T; t++) jobs.push(job(0, M, split[t]!, split[t + 1]!, 0, K, c + split[t]! * 4, ldc, t));
    rt.run(jobs);
  } else {
    // Few rows and columns, long K (the filter gradient of a convolution): split K.
    const split = splitAligned(K, T, 1);
    const partials: number[] = [];
    for (let t = 1; t < T; t++) partials.push(rt.alloc(M * N));
    jobs.push(job(0, M, 0, N, split[0]!, split[1]!, c, ldc, 0));
    // Private partial sums are overwritten, never added to, so they need no zeroing.
    for (let t = 1; t < T; t++) jobs.push(job(0, M, 0, N, split[t]!, split[t + 1]!, partials[t - 1]!, N, t, true));
    rt.run(jobs);
    for (const p of partials) {
      if (ldc === N) rt.exports.addInto(c, p, M * N);
      else for (let i = 0; i < M; i++) rt.exports.addInto(c + i * ldc * 4, p + i * N * 4, N);
    }
  }
}

/** Boundaries splitting [0, n) into `parts` runs whose lengths are multiples of `align` (but the last). */
export function splitAligned(n: number, parts: number, align: number): number[] {
  const out = [0];
  const units = Math.ceil(n / align);
  for (let t = 1; t < parts; t++) out.push(Math.min(n, Math.round((units * t) / parts) * align));
  out.push(n);
  return out;
}

/** Runs `fn(lo, hi)` jobs over [0, n) split evenly across the runtime's threads. */
export function parallelRange(rt: SimdRuntime, n: number, minPerThread: number, make: (lo: number, hi: number) => SimdJob): void {
  const T = Math.max(1, Math.min(rt.threads, Math.floor(n / minPerThread)));
  const split = splitAligned(n, T, 1);
  const jobs: SimdJob[] = [];
  for (let t = 0; t < T; t++) if (split[t + 1]! > split[t]!) jobs.push(make(split[t]!, split[t + 1]!));
  rt.run(jobs);
}
