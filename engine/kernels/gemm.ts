// Matrix multiply over the SIMD runtime's arena, split across its threads. Operands are described by
// byte addresses and element strides, so transposed operands cost nothing extra; A may also be the
// im2col matrix of an NHWC image (or its transpose), which the kernel reads straight from the image.
import type { SimdJob, SimdRuntime } from './simd/runtime';
import { reductionChunks } from './reduction-chunks';
import { splitAligned } from './split-aligned';

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
/** Below this many multiply-adds, waking helper threads costs more than it saves. */
const PARALLEL_MIN_FLOPS = 150_000;
/** Multiply-adds per task (~100 µs): enough to amortise taking it, small enough to balance. */
const TASK_FLOPS = 1_500_000;
/**
 * Every row task packs all of B (or, up to 64 rows, reads it in place): from this size (1 MiB, half
 * a core's L2 here) that pass comes from memory, not cache, and the 4-row tasks TASK_FLOPS alone
 * would give a large product spend their time on it. Tasks then take at least 192 rows (two of the
 * kernel's row blocks): 1024×1024×1024 on 2 threads took 100 ms in 4-row tasks, more than one
 * thread's 78 ms, and takes 56-67 ms so.
 */
const LARGE_B_FLOATS = 1 << 18, LARGE_B_MIN_ROWS = 192;
const F_ACC = 1, F_BIAS = 2, F_RELU = 4, F_RELU6 = 8;
const DESC_WORDS = 14;

const isConv = (a: Operand | ConvOperand): a is ConvOperand => 'image' in a;

/** Boundaries of about `n * perUnit / TASK_FLOPS` tasks (at least 3 per thread when there is room) of at least `minPerTask`, aligned. */
function taskSplit(n: number, align: number, perUnit: number, threads: number, minPerTask = align): number[] {
  const units = Math.ceil(n / Math.max(align, minPerTask));
  let tasks = Math.max(1, Math.min(units, Math.max(3 * threads, Math.round((n * perUnit) / TASK_FLOPS))));
  // Few large tasks (a large B): as many for every thread; 3 on 2 threads left one idle a third of
  // the time (512×1024×512: 14.4 → 12.8 ms in 2 tasks).
  if (tasks < 3 * threads && tasks > threads) tasks -= tasks % threads;
  return splitAligned(n, tasks, align);
}

/**
 * C[M,N] (row stride ldc, byte address c) = act(A[M,K] * B[K,N] + bias) (or C += A * B when
 * `accumulate`). Rows of C are shared out as tasks among the threads when there are enough, else
 * columns; every element is summed over all of K by one task, in the same order whatever the
 * number of threads, so the result does not depend on it.
 */
export function gemm(rt: SimdRuntime, M: number, N: number, K: number, A: Operand | ConvOperand, B: Operand, c: number, ldc: number, epi: Epilogue = {}): void {
  if (M === 0 || N === 0) return;
  const act = epi.activation ?? 'linear';
  const actCode = act === 'relu' ? 1 : act === 'relu6' ? 2 : 0;
  if (K === 0) {
    if (!epi.accumulate) for (let i = 0; i < M; i++) rt.zero(c + i * ldc * 4, N);
    if (epi.bias || act !== 'linear') for (let i = 0; i < M; i++) rt.exports.biasAct(c + i * ldc * 4, 1, N, epi.bias ?? 0, actCode);
    return;
  }
  const flags = (epi.accumulate ? F_ACC : 0) | (epi.bias ? F_BIAS : 0) | (act === 'relu' ? F_RELU : act === 'relu6' ? F_RELU6 : 0);
  const T = M * N * K < PARALLEL_MIN_FLOPS ? 1 : rt.threads;
  const work = rt.alloc((rt.workBytes / 4 + 16) * T);
  const workOf = (t: number): number => work + t * (rt.workBytes + 64);
  const [akind, a, rsa, csa, geom] = isConv(A) ? [A.transposed ? 2 : 1, A.image, 0, 0, A.geometry] : [0, A.addr, A.rs, A.cs, 0];
  const desc = (k0: number, k1: number, cAddr: number, cld: number, f: number): number =>
    rt.putI32([k0, k1, akind, a, rsa, csa, B.addr, B.rs, B.cs, cAddr, cld, f, epi.bias ?? 0, geom].slice(0, DESC_WORDS));
  if (T === 1) {
    rt.exports.gemmJob(desc(0, K, c, ldc, flags), 0, M, 0, N, work);
    return;
  }
  const extra = (t: number): number[] => [workOf(t)];
  // Every row task reads all of B, every column task all of A: split the dimension that keeps the
  // larger operand read once (a dense layer's batch of 32 rows against 4096×512 weights: 7.4→4.5 ms).
  const byColumns = N >= T * NR * 2 && N > M;
  if (M >= T * MR * 4 && !byColumns) {
    const d = desc(0, K, c, ldc, flags);
    const split = taskSplit(M, MR, N * K, T, N * K >= LARGE_B_FLOATS ? LARGE_B_MIN_ROWS : MR);
    rt.runTasks('gemmJob', split.slice(1).map((m1, i) => [d, split[i]!, m1, 0, N]), extra);
  } else if (N >= T * NR * 2) {
    // Each task packs all of A again: only two tasks per thread.
    const d = desc(0, K, c, ldc, flags);
    const split = splitAligned(N, Math.min(Math.ceil(N / NR), 2 * T), NR);
    rt.runTasks('gemmJob', split.slice(1).map((n1, i) => [d, 0, M, split[i]!, n1]), extra);
  } else {
    // Few rows and columns: rows or columns, whichever gives more tasks, even if fewer than the
    // threads. Splitting K by the thread count instead (partial sums added up) made the result
    // depend on the number of threads (a forward convolution on 9 output pixels, a dense layer at
    // batch 1 on 16 cores); long reductions over few outputs (filter gradients) take gemmReduceK.
    const d = desc(0, K, c, ldc, flags);
    const rowTasks = Math.ceil(M / MR), columnTasks = Math.ceil(N / NR);
    const split = rowTasks >= columnTasks ? splitAligned(M, Math.min(rowTasks, 2 * T), MR) : splitAligned(N, Math.min(columnTasks, 2 * T), NR);
    rt.runTasks('gemmJob', split.slice(1).map((e1, i) => rowTasks >= columnTasks ? [d, split[i]!, e1, 0, N] : [d, 0, M, split[i]!, e1]), extra);
  }
}

/**
 * C[M,N] (contiguous) = A[M,K] * B[K,N] for a long K and a large B (a filter gradient: K runs over
 * every output pixel of the batch, B is the output gradient). Splitting rows of C among tasks, as
 * gemm does, would pack all of B again in every task; here each task takes one chunk of K and
 * computes all of C into the chunk's own accumulator, so A and B are packed once in all. The chunks
 * depend only on the shape and are added in order (see reduction-chunks.ts): the result does not
 * depend on the thread count.
 */
export function gemmReduceK(rt: SimdRuntime, M: number, N: number, K: number, A: Operand | ConvOperand, B: Operand, c: number): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    rt.zero(c, M * N);
    return;
  }
  const chunks = reductionChunks(K, KC_CHUNK_ALIGN, M * N);
  const accs = [c, ...chunks.slice(2).map(() => rt.alloc(M * N))];
  const T = Math.min(rt.threads, accs.length);
  const work = rt.alloc((rt.workBytes / 4 + 16) * T);
  const [akind, a, rsa, csa, geom] = isConv(A) ? [A.transposed ? 2 : 1, A.image, 0, 0, A.geometry] : [0, A.addr, A.rs, A.cs, 0];
  const tasks = accs.map((acc, i) => [rt.putI32([chunks[i]!, chunks[i + 1]!, akind, a, rsa, csa, B.addr, B.rs, B.cs, acc, N, 0, 0, geom]), 0, M, 0, N]);
  rt.runTasks('gemmJob', tasks, (t) => [work + t * (rt.workBytes + 64)]);
  addChunksInto(rt, c, accs.slice(1), M * N);
}

/** Chunks of K are whole multiples of this many (output pixels): long enough runs for the micro-kernel. */
const KC_CHUNK_ALIGN = 256;

/**
 * dst += accs[0] + accs[1] + ... (n floats each), added in that order for every element: the chunk
 * sums of a reduction (reduction-chunks.ts). Large ones are split over the threads by ranges of
 * elements (on the calling thread alone they left the other idle: filter gradients of 32-128
 * channels are 1-3% faster so); the order of the additions, and so the result, is the same.
 */
export function addChunksInto(rt: SimdRuntime, dst: number, accs: number[], n: number): void {
  if (accs.length === 0) return;
  if (rt.threads === 1 || n * accs.length < ADD_CHUNKS_MIN_ON_THREADS) {
    for (const acc of accs) rt.exports.addInto(dst, acc, n);
    return;
  }
  const table = rt.putI32(accs);
  parallelRange(rt, n, 4096, (lo, hi) => ({ fn: 'addChunks', args: [dst, table, accs.length, lo, hi] }));
}
const ADD_CHUNKS_MIN_ON_THREADS = 1 << 16;

/**
 * Runs an element-wise kernel over n float32s on the threads, in ranges of whole 4-float vectors (at
 * least 64k values each): `make(offset, count)` gives the job for `count` values starting `offset`
 * bytes into every operand.
 */
export function elementwiseOnThreads(rt: SimdRuntime, n: number, make: (offset: number, count: number) => SimdJob): void {
  parallelRange(rt, Math.ceil(n / 4), 16384, (lo, hi) => make(lo * 16, Math.min(n, hi * 4) - lo * 4));
}

/**
 * Runs `make(lo, hi)` over [0, n) as tasks of at least `minPerTask` items (about three per thread),
 * shared among the runtime's threads; `make` gives the function and its arguments for a range.
 */
export function parallelRange(rt: SimdRuntime, n: number, minPerTask: number, make: (lo: number, hi: number) => SimdJob): void {
  if (n <= 0) return;
  const tasks = Math.max(1, Math.min(3 * rt.threads, Math.floor(n / minPerTask)));
  const split = splitAligned(n, tasks, 1);
  const jobs: SimdJob[] = [];
  for (let t = 0; t < tasks; t++) if (split[t + 1]! > split[t]!) jobs.push(make(split[t]!, split[t + 1]!));
  if (jobs.length === 0) return;
  rt.runTasks(jobs[0]!.fn, jobs.map((j) => j.args));
}
