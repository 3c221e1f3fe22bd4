// Matrix multiply over the SIMD runtime's arena, split across its threads. Operands are described by
// byte addresses and element strides, so transposed operands cost nothing extra; A may also be the
// im2col matrix of an NHWC image (or its transpose), which the kernel reads straight from the image.
import type { SimdJob, SimdRuntime } from './simd/runtime';

export interface Operand {
  /** Byte address in the runtime's memory. */
  addr: number;
  /** Element stride between rows. */
  rs: number;
  /** Element stride between columns. */
  cs: number;
}

/** im2col(x) (rows: output pixels, columns: taps (ky, kx, c)) or, transposed, its transpose. */
export interface ConvOperand {
  /** Byte address of the NHWC image. */
  image: number;
  /** Byte address of the geometry words (convGeometry in conv.ts). */
  geometry: number;
  transposed: boolean;
}

export type Activation = 'linear' | 'relu' | 'relu6';

export interface Epilogue {
  /** C += A * B instead of C = A * B. */
  accumulate?: boolean;
  /** Byte address of N bias values added to every row. */
  bias?: number;
  activation?: Activation;
}

const MR = 4; // the micro-kernel's rows (kernels.as)
const NR = 8; // its columns
const KC = 512; // its K block
/** Below this many multiply-adds, waking helper threads costs more than it saves. */
const PARALLEL_MIN_FLOPS = 150_000;
const F_ACC = 1, F_BIAS = 2, F_RELU = 4, F_RELU6 = 8;
const DESC_WORDS = 19;

const isConv = (a: Operand | ConvOperand): a is ConvOperand => 'image' in a;

/**
 * C[M,N] (row stride ldc, byte address c) = act(A[M,K] * B[K,N] + bias) (or C += A * B when
 * `accumulate`). Splits rows of C across threads when there are enough, else columns, else the K
 * dimension (each thread then sums into a private buffer, reduced at the end: same result up to
 * float rounding).
 */
export function gemm(rt: SimdRuntime, M: number, N: number, K: number, A: Operand | ConvOperand, B: Operand, c: number, ldc: number, epi: Epilogue = {}): void {
  if (M === 0 || N === 0) return;
  const act = epi.activation ?? 'linear';
  if (K === 0) {
    if (!epi.accumulate) for (let i = 0; i < M; i++) rt.zero(c + i * ldc * 4, N);
    if (epi.bias || act !== 'linear') rt.exports.biasAct(c, M, N, epi.bias ?? 0, act === 'relu' ? 1 : act === 'relu6' ? 2 : 0);
    return;
  }
  const flags = (epi.accumulate ? F_ACC : 0) | (epi.bias ? F_BIAS : 0) | (act === 'relu' ? F_RELU : act === 'relu6' ? F_RELU6 : 0);
  const T = M * N * K < PARALLEL_MIN_FLOPS ? 1 : rt.threads;
  const work = rt.alloc((rt.workBytes / 4 + 16) * T);
  const workOf = (t: number): number => work + t * (rt.workBytes + 64);
  const [akind, a, rsa, csa, geom] = isConv(A) ? [A.transposed ? 2 : 1, A.image, 0, 0, A.geometry] : [0, A.addr, A.rs, A.cs, 0];
  const descs = rt.alloc(DESC_WORDS * T);
  const job = (t: number, m0: number, m1: number, n0: number, n1: number, k0: number, k1: number, cAddr: number, cld: number, f: number): SimdJob => {
    const d = descs + t * DESC_WORDS * 4;
    rt.i32.set([m0, m1, n0, n1, k0, k1, akind, a, rsa, csa, B.addr, B.rs, B.cs, cAddr, cld, f, epi.bias ?? 0, workOf(t), geom], d >> 2);
    return { fn: 'gemmJob', args: [d] };
  };
  if (T === 1) {
    rt.run([job(0, 0, M, 0, N, 0, K, c, ldc, flags)]);
    return;
  }
  const jobs: SimdJob[] = [];
  if (M >= T * MR * 4) {
    const split = splitAligned(M, T, MR);
    for (let t = 0; t < T; t++) jobs.push(job(t, split[t]!, split[t + 1]!, 0, N, 0, K, c, ldc, flags));
    rt.run(jobs);
  } else if (N >= T * NR * 2) {
    const split = splitAligned(N, T, NR);
    for (let t = 0; t < T; t++) jobs.push(job(t, 0, M, split[t]!, split[t + 1]!, 0, K, c, ldc, flags));
    rt.run(jobs);
  } else {
    // Few rows and columns, long K (the filter gradient of a convolution): split K (in whole K
    // blocks), then reduce; bias and activation come after the reduction.
    const split = splitAligned(K, T, KC);
    const partials: number[] = [];
    for (let t = 1; t < T; t++) partials.push(rt.alloc(M * N));
    const f0 = flags & F_ACC;
    jobs.push(job(0, 0, M, 0, N, split[0]!, split[1]!, c, ldc, f0));
    // Private partial sums are overwritten, never added to, so they need no zeroing.
    for (let t = 1; t < T; t++) jobs.push(job(t, 0, M, 0, N, split[t]!, split[t + 1]!, partials[t - 1]!, N, 0));
    rt.run(jobs.filter((_, t) => split[t + 1]! > split[t]! || t === 0));
    for (let t = 1; t < T; t++) {
      if (split[t + 1]! <= split[t]!) continue;
      const p = partials[t - 1]!;
      if (ldc === N) rt.exports.addInto(c, p, M * N);
      else for (let i = 0; i < M; i++) rt.exports.addInto(c + i * ldc * 4, p + i * N * 4, N);
    }
    if (epi.bias || act !== 'linear') {
      if (ldc === N) rt.exports.biasAct(c, M, N, epi.bias ?? 0, act === 'relu' ? 1 : act === 'relu6' ? 2 : 0);
      else for (let i = 0; i < M; i++) rt.exports.biasAct(c + i * ldc * 4, 1, N, epi.bias ?? 0, act === 'relu' ? 1 : act === 'relu6' ? 2 : 0);
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
