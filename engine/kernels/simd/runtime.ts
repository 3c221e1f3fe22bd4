// Loads the SIMD compute core (kernels.as) into one shared WebAssembly memory and runs its functions,
// optionally split across worker threads that instantiate the same module over the same memory.
// Kernels are synchronous (TF.js kernel functions must return their result), so the caller blocks in
// Atomics.wait until the helpers finish; an idle helper polls for 1 ms before sleeping, so that the
// kernels of a training step find it awake.
// Kernels take scratch from a per-call arena. Once the wasm backend's module runs in this memory
// (attachHeap, see wasm-heap.ts) the arena is a block from that module's malloc, and put() reads the
// module's tensors where they are instead of copying them in.
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import v8 from 'node:v8';
import { SIMD_HEAP_WASM_BASE64, SIMD_RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from './simd-binary';
import { floatParams } from './wasm-signatures';

export interface SimdExports {
  gemmJob(desc: number, m0: number, m1: number, n0: number, n1: number, work: number): void;
  gemmWorkBytes(): number;
  relaxedSimd(): number;
  peekI32(p: number): number;
  peekF32(p: number): number;
  rotateFilter(w: number, KH: number, KW: number, C: number, F: number, out: number): void;
  addChunks(dst: number, table: number, count: number, n0: number, n1: number): void;
  col2im(col: number, H: number, W: number, C: number, KH: number, KW: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, OH: number, OW: number, dx: number, n0: number, n1: number): void;
  addInto(dst: number, src: number, n: number): void;
  biasAct(x: number, rows: number, cols: number, bias: number, act: number): void;
  biasActTo(x: number, rows: number, cols: number, bias: number, act: number, y: number): void;
  rowBinary(full: number, rows: number, cols: number, row: number, op: number, rowFirst: number, y: number): void;
  sqDevRowsInto(x: number, r0: number, r1: number, cols: number, mean: number, acc: number): void;
  bnGradRowsInto(dy: number, x: number, r0: number, r1: number, cols: number, mean: number, acc: number): void;
  bnGradApply(dy: number, x: number, rows: number, cols: number, mean: number, a: number, b: number, k: number, dx: number): void;
  leakyRelu(x: number, n: number, alpha: number, y: number): void;
  leakyReluGrad(dy: number, x: number, n: number, alpha: number, y: number): void;
  tanhApprox(x: number, n: number, y: number): void;
  outputGrad(dy: number, y: number, n: number, kind: number, out: number): void;
  maxPoolGradAny(x: number, dy: number, dx: number, g: number, n0: number, n1: number): void;
  upsampleNearest(x: number, H: number, W: number, C: number, fy: number, fx: number, y: number, n0: number, n1: number): void;
  upsampleNearestGrad(dy: number, H: number, W: number, C: number, fy: number, fx: number, dx: number, n0: number, n1: number): void;
  extremum(x: number, R: number, B: number, y: number, isMax: number, a0: number, a1: number): void;
  extremumGrad(x: number, y: number, dy: number, R: number, B: number, dx: number, a0: number, a1: number): void;
  avgPoolGradTiled(dy: number, dx: number, H: number, W: number, C: number, OH: number, OW: number, fh: number, fw: number, mult: number, n0: number, n1: number): void;
  maxPoolGrad2x2(x: number, dy: number, dx: number, H: number, W: number, C: number, OH: number, OW: number, n0: number, n1: number): void;
  sumLeading(x: number, rows: number, cols: number, out: number, acc: number): void;
  sumRowsInto(x: number, r0: number, r1: number, cols: number, acc: number): void;
  sumScratch(cols: number): number;
  winogradFilter(w: number, C: number, F: number, u: number): void;
  winogradConv(x: number, H: number, W: number, C: number, pt: number, pl: number, OH: number, OW: number,
    u: number, F: number, bias: number, act: number, y: number, t0: number, t1: number, TB: number, work: number): void;
  winogradFilterGradJob(x: number, H: number, W: number, C: number, pt: number, pl: number, dy: number, OH: number, OW: number, F: number,
    t0: number, t1: number, TB: number, u: number, work: number): void;
  winogradFilterGradFinish(u: number, C: number, F: number, dw: number): void;
  winograd6Filter(w: number, r: number, m: number, C: number, F: number, u: number, f0: number, f1: number, work: number): void;
  winograd6FilterGradJob(x: number, H: number, W: number, C: number, pt: number, pl: number, dy: number, OH: number, OW: number, F: number,
    t0: number, t1: number, TB: number, m: number, r: number, u: number, work: number): void;
  winograd6FilterGradFinish(u: number, r: number, m: number, C: number, F: number, dw: number, f0: number, f1: number, work: number): void;
  winograd6FilterGradTiles(x: number, H: number, W: number, C: number, pt: number, pl: number, dy: number, OH: number, OW: number, F: number,
    t0: number, t1: number, tBase: number, TB: number, m: number, r: number, pa: number, pb: number, work: number): void;
  winograd6FilterGradPoints(pa: number, pb: number, TB: number, nt: number, C: number, F: number, xi0: number, xi1: number, acc: number, u: number): void;
  winograd6Conv(x: number, H: number, W: number, C: number, pt: number, pl: number, OH: number, OW: number,
    u: number, F: number, bias: number, act: number, y: number, t0: number, t1: number, TB: number, m: number, r: number, work: number): void;
  winogradS2Filter(w: number, C: number, F: number, u: number, mode: number, n0: number, n1: number, m: number, work: number): void;
  winogradS2FilterGradJob(x: number, H: number, W: number, C: number, pt: number, pl: number, dy: number, OH: number, OW: number, F: number,
    t0: number, t1: number, TB: number, m: number, u: number, work: number): void;
  winogradS2FilterGradFinish(u: number, C: number, F: number, dw: number, f0: number, f1: number, m: number, work: number): void;
  winogradS2Conv(src: number, SH: number, SW: number, K: number, pt: number, pl: number, DH: number, DW: number,
    u: number, Nout: number, bias: number, act: number, dst: number, t0: number, t1: number, TB: number, mode: number, m: number, work: number): void;
  adam(value: number, m: number, v: number, g: number, n: number, outValue: number, outM: number, outV: number,
    b1: number, omb1: number, b2: number, omb2: number, c1: number, c2: number, eps: number, neglr: number): void;
  momentum(value: number, acc: number, g: number, n: number, outValue: number, outAcc: number, mom: number, neglr: number): void;
  rmsprop(value: number, ms: number, mom: number, g: number, n: number, outValue: number, outMs: number, outMom: number,
    decay: number, omd: number, momentum: number, lr: number, eps: number): void;
  clamp(x: number, n: number, lo: number, hi: number, y: number): void;
  stepKernel(x: number, n: number, alpha: number, y: number): void;
  binaryEq(a: number, b: number, n: number, op: number, y: number): void;
  scaleShift(x: number, rows: number, C: number, mean: number, scale: number, shift: number, y: number): void;
  pad2d(x: number, N: number, H: number, W: number, C: number, pt: number, pb: number, pl: number, pr: number, value: number, y: number): void;
  copyRows(src: number, srcStride: number, len: number, dst: number, dstStride: number, r0: number, r1: number): void;
  spaceToDepth2(x: number, H: number, W: number, C: number, s: number, SH: number, SW: number, r0: number, r1: number, mode: number): void;
  spaceToBatch2d(x: number, N: number, H: number, W: number, C: number, bh: number, bw: number, top: number, left: number,
    p: number, PH: number, PW: number, mode: number, q0: number, q1: number): void;
  pool2d(x: number, y: number, g: number, isMax: number, n0: number, n1: number, work: number): void;
  reluGrad(dy: number, x: number, n: number, hi: number, y: number): void;
  reluGradRowsSum(dy: number, x: number, r0: number, r1: number, cols: number, y: number, acc: number): void;
  clipGrad(dy: number, x: number, n: number, lo: number, hi: number, y: number): void;
  depthwiseForward(x: number, w: number, bias: number, y: number, g: number, act: number, n0: number, n1: number, work: number): void;
  depthwiseBackpropInput(dy: number, w: number, dx: number, g: number, n0: number, n1: number, work: number): void;
  depthwiseBackpropFilter(x: number, dy: number, g: number, n0: number, n1: number, acc: number, work: number): void;
  convSmallC(xp: number, Hp: number, Wp: number, C: number, KH: number, KW: number, sh: number, sw: number, dh: number, dw: number,
    w8: number, F: number, bias8: number, act: number, y: number, OH: number, OW: number, r0: number, r1: number, work: number): void;
  convFilterGradSmallC(xp: number, Hp: number, Wp: number, C: number, sh: number, sw: number, dy: number, F: number, offs: number, K4: number,
    OH: number, OW: number, n0: number, n1: number, acc: number): void;
}
export type SimdFn = Exclude<keyof SimdExports, 'gemmWorkBytes' | 'relaxedSimd' | 'sumScratch' | 'peekI32' | 'peekF32'>;
const FN_NAMES: SimdFn[] = ['gemmJob', 'col2im', 'addInto', 'addChunks', 'rotateFilter', 'biasAct', 'biasActTo', 'rowBinary', 'sqDevRowsInto', 'bnGradRowsInto', 'bnGradApply', 'avgPoolGradTiled', 'extremumGrad', 'extremum', 'maxPoolGradAny', 'upsampleNearest', 'upsampleNearestGrad', 'leakyRelu', 'leakyReluGrad', 'tanhApprox', 'outputGrad', 'maxPoolGrad2x2', 'sumLeading', 'sumRowsInto', 'winogradFilter', 'winogradConv', 'winogradFilterGradJob', 'winogradFilterGradFinish', 'winograd6Filter', 'winograd6Conv', 'winograd6FilterGradJob', 'winograd6FilterGradFinish', 'winograd6FilterGradTiles', 'winograd6FilterGradPoints', 'winogradS2Filter', 'winogradS2Conv', 'winogradS2FilterGradJob', 'winogradS2FilterGradFinish',
  'adam', 'momentum', 'rmsprop', 'clamp', 'stepKernel', 'binaryEq', 'scaleShift', 'pad2d', 'copyRows', 'spaceToDepth2', 'spaceToBatch2d', 'depthwiseForward', 'depthwiseBackpropInput', 'depthwiseBackpropFilter', 'reluGrad', 'reluGradRowsSum', 'clipGrad', 'pool2d', 'convSmallC', 'convFilterGradSmallC'];

const PAGE = 65536;
/** The first bytes belong to the AssemblyScript runtime (its --memoryBase is 1024, no static data). */
const ARENA_START = 4 * PAGE;
export const MAX_PAGES = 32768; // 2 GiB keeps every address a positive i32

/** What a user reads when one layer's tensors do not fit the kernels' memory. */
function tooLarge(bytes: number): string {
  return `Glasswing fast kernels: one layer needs ${Math.round(bytes / 2 ** 20)} MiB at once, more than the 2 GiB the kernels can address: use smaller images or a smaller batch`;
}
// Control words shared with the helpers: a header for task lists, then one slot per helper.
const HEADER = 16; // [counter (job << 20 | next task), done, tasks, args per task, fn, table, failed]
const H_COUNTER = 0, H_DONE = 1, H_TASKS = 2, H_NARGS = 3, H_FN = 4, H_TABLE = 5, H_FAILED = 6;
const SLOT = 32; // Int32 words per helper: [seq, ackSeq, fn, nargs, args...]
const MAX_ARGS = SLOT - 4;
const FN_STOP = -1, FN_TASKS = -3;
/**
 * Milliseconds an idle helper polls for the next job before it sleeps in Atomics.wait. Waking a
 * sleeping helper costs the caller a futex wake in Atomics.notify and the helper its wake-up, both
 * before the helper takes a task: 20 µs and 50 µs on this project's 2-core VM (an idle vCPU is woken
 * by an interrupt), tens of µs where a laptop core has gone to a sleep state. The kernels of a
 * training step follow each other after tens to hundreds of µs of TF.js bookkeeping, so a helper
 * that slept after 12 µs of polling (2,000 polls, before) was woken ~15 times a step: the residual
 * template's notify calls took 0.6-1.0 ms of its 16 ms step until V8 had optimized TF.js's code.
 * Polling by time rather than by count also means the same on fast and slow cores. 1 ms keeps the
 * helpers awake through a step and lets them sleep between steps that wait on something else (the
 * UI, a data read); OpenMP's runtimes, which PyTorch runs on, poll for far longer by default (Intel's
 * 200 ms). With tasks taken from a shared list, a helper that is still asleep only does fewer tasks.
 */
let helperSpinMs = Number(process.env.GLASSWING_HELPER_SPIN_MS) >= 0 ? Number(process.env.GLASSWING_HELPER_SPIN_MS) : 1;
/** For measurements: the idle helpers' polling time in ms (applies to helpers started afterwards). */
export function setHelperSpinMs(ms: number): void {
  helperSpinMs = ms;
}
const JOB_BITS = 12, TASK_BITS = 20, TASK_MASK = (1 << TASK_BITS) - 1;

// The helper's whole program. Evaluated as CommonJS so that it survives bundling unchanged. A task
// list is shared by every thread: each takes the next task with a compare-and-swap on a counter
// tagged with the list's job number (a helper that wakes late finds another job's tag and takes
// nothing), so a thread that is descheduled (other programs on the cores) just does fewer tasks.
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, slot, fnNames, floatArgs, spinMs } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('simd abort'); } } });
const fns = fnNames.map((n) => inst.exports[n]);
const { peekI32, peekF32 } = inst.exports;
// Float parameters travel as float32 bits in the int32 words: read them as floats (peekF32, cf).
const isFloat = floatArgs.map((idx) => { const m = []; for (const i of idx) m[i] = true; return m; });
const c = new Int32Array(ctrl);
const cf = new Float32Array(ctrl);
const base = ${HEADER} + slot * ${SLOT};
const args = [];
let seen = 0;
function tasks(job, extra) {
  for (;;) {
    const v = Atomics.load(c, ${H_COUNTER});
    if ((v >>> ${TASK_BITS}) !== job) return;
    const i = v & ${TASK_MASK};
    if (i >= c[${H_TASKS}]) return;
    if (Atomics.compareExchange(c, ${H_COUNTER}, v, v + 1) !== v) continue;
    const na = c[${H_NARGS}], fi = c[${H_FN}], f = fns[fi], fl = isFloat[fi], t = c[${H_TABLE}] + 4 * i * na;
    args.length = na + extra.length;
    // A failure anywhere in a task is reported (the caller throws) and the task still counts as
    // done: a helper that died here would leave the caller waiting for it for ever.
    try {
      // Through wasm, which sees the memory as it is now, not through a view of memory.buffer:
      // right after the main thread grows the shared memory, a worker's memory.buffer can still be
      // the old, shorter buffer (see peekI32 in kernels.as).
      for (let k = 0; k < na; k++) args[k] = fl[k] ? peekF32(t + 4 * k) : peekI32(t + 4 * k);
      for (let k = 0; k < extra.length; k++) args[na + k] = extra[k];
      f(...args);
    } catch (e) { c[${H_FAILED}] = 1; }
    if (Atomics.add(c, ${H_DONE}, 1) + 1 === c[${H_TASKS}]) Atomics.notify(c, ${H_DONE});
  }
}
for (;;) {
  // Poll for spinMs (the clock read every 256 polls): a job may follow soon.
  const until = performance.now() + spinMs;
  for (let k = 1; Atomics.load(c, base) === seen; k++) if ((k & 255) === 0 && performance.now() > until) break;
  if (Atomics.load(c, base) === seen) Atomics.wait(c, base, seen);
  seen = Atomics.load(c, base);
  const fn = c[base + 2];
  if (fn === ${FN_STOP}) break;
  const n = c[base + 3];
  if (fn === ${FN_TASKS}) {
    // [job, float mask of the extras (bit k: extra k is a float), extras...]
    const extra = [], mask = c[base + 5];
    for (let i = 2; i < n; i++) extra.push(mask & (1 << (i - 2)) ? cf[base + 4 + i] : c[base + 4 + i]);
    tasks(c[base + 4], extra);
  } else {
    args.length = n;
    const fl = isFloat[fn];
    for (let i = 0; i < n; i++) args[i] = fl[i] ? cf[base + 4 + i] : c[base + 4 + i];
    try { fns[fn](...args); } catch (e) { c[${H_FAILED}] = 1; }
  }
  Atomics.store(c, base + 1, seen);
  Atomics.notify(c, base + 1);
}
`;

/**
 * Node 20's V8 (11.3) implements relaxed SIMD — the same code Chrome 114 and Electron ship on — but
 * validates it only behind a flag. V8 reads wasm feature flags when a module is validated, so
 * setting the flag before the first validation turns it on for this process; fused multiply-add
 * makes the GEMM micro-kernel 1.3-1.4x faster. Returns whether the flag could be set.
 */
function enableRelaxedSimd(): boolean {
  const major = Number(process.versions.node.split('.')[0]);
  if (!(major >= 20) || process.versions.electron) return false;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    return true;
  } catch {
    return false;
  }
}

export interface SimdJob { fn: SimdFn; args: number[] }

/** The allocator of a module that shares the runtime's memory (its malloc returns 0 when out of memory). */
export interface ArenaHeap { malloc(bytes: number): number; free(addr: number): void }

export class SimdRuntime {
  readonly memory: WebAssembly.Memory;
  readonly exports: SimdExports;
  readonly workBytes: number;
  private f32View: Float32Array;
  private i32View: Int32Array;
  private top = ARENA_START;
  /**
   * Once the wasm backend's module runs in this memory (attachHeap), its allocator owns the memory:
   * the arena is then a block from its malloc (taken on first use: 0 until then), plus overflow
   * blocks when a kernel needs more.
   */
  private heap: ArenaHeap | null = null;
  private block = 0;
  private blockEnd = 0;
  private overflow: number[] = [];
  private usedBytes = 0;
  /** This memory's buffers (a new one after each growth): views over them need no copying in. */
  private readonly ownBuffers = new WeakSet<ArrayBufferLike>();
  /** Whether tensors of the attached heap are read and written in place (off: copied, for comparisons). */
  inPlace = process.env.GLASSWING_IN_PLACE !== '0';
  /** Where the running kernel's result goes (see withResultAt), or 0 for arena space. */
  private resultAddr = 0;
  private resultFloats = 0;
  private helpers: Worker[] = [];
  private ctrl: Int32Array | null = null;
  private ctrlF: Float32Array | null = null;
  /** Per function (FN_NAMES order): which parameters are floats. */
  private readonly floatArgs: number[][];
  /** Per helper: the sequence number last posted to its slot. */
  private posted: number[] = [];
  private job = 0;
  private module: WebAssembly.Module;

  /** True when the module multiplies and adds with relaxed SIMD's fused multiply-add. */
  readonly relaxed: boolean;

  constructor(allowRelaxed = process.env.GLASSWING_SIMD !== 'base') {
    // The relaxed-SIMD build where this runtime validates it (detected, not assumed: Electron's V8
    // ships relaxed SIMD, Node 20's only behind --experimental-wasm-relaxed-simd).
    const relaxed = Buffer.from(SIMD_RELAXED_WASM_BASE64, 'base64');
    const useRelaxed = allowRelaxed && (WebAssembly.validate(relaxed) || (enableRelaxedSimd() && WebAssembly.validate(relaxed)));
    const bytes = useRelaxed ? relaxed : Buffer.from(SIMD_WASM_BASE64, 'base64');
    this.module = new WebAssembly.Module(bytes);
    const floats = floatParams(bytes);
    this.floatArgs = FN_NAMES.map((n) => floats.get(n) ?? []);
    this.memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    const inst = new WebAssembly.Instance(this.module, { env: { memory: this.memory, abort() { throw new Error('simd abort'); } } });
    this.exports = inst.exports as unknown as SimdExports;
    this.workBytes = this.exports.gemmWorkBytes();
    this.relaxed = this.exports.relaxedSimd() === 1;
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
  }

  /** Number of threads jobs are split over (the caller's thread included). */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Starts (or stops) helper threads so that `n` threads share each job. */
  setThreads(n: number): void {
    n = Math.max(1, Math.min(Math.floor(n), 16));
    if (n === this.threads) return;
    this.stopHelpers();
    if (n === 1) return;
    const sab = new SharedArrayBuffer((HEADER + (n - 1) * SLOT) * 4);
    this.ctrl = new Int32Array(sab);
    this.ctrlF = new Float32Array(sab);
    this.posted = new Array<number>(n - 1).fill(0);
    for (let slot = 0; slot < n - 1; slot++) {
      const w = new Worker(HELPER_SOURCE, { eval: true, workerData: { module: this.module, memory: this.memory, ctrl: sab, slot, fnNames: FN_NAMES, floatArgs: this.floatArgs, spinMs: helperSpinMs } });
      w.unref(); // idle helpers must not keep the process alive
      this.helpers.push(w);
    }
  }

  private stopHelpers(): void {
    if (this.ctrl) {
      const c = this.ctrl;
      this.helpers.forEach((_, slot) => {
        const base = HEADER + slot * SLOT;
        this.awaitAck(slot);
        c[base + 2] = FN_STOP;
        c[base + 3] = 0;
        Atomics.add(c, base, 1);
        Atomics.notify(c, base);
      });
    }
    for (const w of this.helpers) void w.terminate();
    this.helpers = [];
    this.ctrl = null;
    this.ctrlF = null;
  }

  /** A Float32Array over the whole memory (re-made after the memory grows). */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer || this.f32View.length * 4 !== this.memory.buffer.byteLength) {
      this.f32View = new Float32Array(this.memory.buffer);
    }
    return this.f32View;
  }

  /** An Int32Array over the whole memory (for job descriptors and geometry). */
  get i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer || this.i32View.length * 4 !== this.memory.buffer.byteLength) {
      this.i32View = new Int32Array(this.memory.buffer);
    }
    return this.i32View;
  }

  /** Writes `words` as int32s into a fresh arena block; returns its address. */
  putI32(words: ArrayLike<number>): number {
    const p = this.alloc(words.length);
    this.i32.set(words, p >> 2);
    return p;
  }

  /** Frees every arena allocation; each kernel starts with this (kernels never nest). */
  reset(): void {
    this.ownBuffers.add(this.memory.buffer);
    if (!this.heap) {
      this.top = ARENA_START;
      return;
    }
    if (this.overflow.length) {
      // The last kernel needed more than the block: one block that size from now on.
      for (const p of this.overflow) this.heap.free(p);
      this.overflow = [];
      this.heap.free(this.block);
      this.takeBlock(Math.ceil((this.usedBytes * 1.25) / PAGE) * PAGE);
    } else if (this.block) {
      this.top = (this.block + 63) & ~63;
    }
    this.usedBytes = 0;
  }

  private takeBlock(bytes: number): void {
    this.block = this.mallocOrThrow(bytes + 64);
    this.top = (this.block + 63) & ~63;
    this.blockEnd = this.top + bytes;
  }

  /**
   * From now on the arena's space comes from `heap`: the allocator of the module that was given this
   * memory (the wasm backend's), which owns it from then on.
   */
  attachHeap(heap: ArenaHeap): void {
    if (this.heap) throw new Error('Glasswing fast kernels: a heap is already attached');
    this.heap = heap;
  }

  /** True once the arena lives in an attached heap (tensors of that heap are read in place). */
  get attached(): boolean {
    return this.heap !== null;
  }

  private mallocOrThrow(bytes: number): number {
    this.ownBuffers.add(this.memory.buffer);
    const p = this.heap!.malloc(bytes);
    if (!p) throw new Error(`Glasswing fast kernels: out of memory (${Math.round(bytes / 2 ** 20)} MiB of scratch for a kernel)`);
    this.ownBuffers.add(this.memory.buffer);
    return p;
  }

  /** Allocates `floats` float32s in the arena; returns the byte address (64-byte aligned). */
  alloc(floats: number): number {
    // In doubles, not with `& ~63`: that wraps past 2 GiB (a 6000×6000 map of 32 filters asked for
    // 4.6 GB and got 313 MB, which the kernel then wrote past).
    const bytes = Math.ceil((floats * 4) / 64) * 64;
    if (bytes + 64 > MAX_PAGES * PAGE) throw new Error(tooLarge(bytes));
    if (this.heap) {
      // The block is taken on first use: the module's malloc works only once its runtime started.
      if (!this.block) this.takeBlock(4 * PAGE);
      this.usedBytes += bytes;
      if (this.top + bytes > this.blockEnd) {
        const p = this.mallocOrThrow(bytes + 64);
        this.overflow.push(p);
        return (p + 63) & ~63;
      }
      const addr = this.top;
      this.top += bytes;
      return addr;
    }
    const addr = this.top;
    const end = addr + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new Error(tooLarge(end));
      this.memory.grow(Math.max(pages, Math.ceil(have / PAGE / 4)));
    }
    this.top = end;
    return addr;
  }

  /**
   * The address of `src` in this memory: a view of it (a tensor of the attached heap) is read where
   * it is; anything else is copied into a fresh arena block. Kernels never write to what they put.
   */
  put(src: ArrayLike<number>): number {
    const at = this.inPlaceAddress(src);
    if (at) return at;
    const p = this.alloc(src.length);
    this.f32.set(src, p >> 2);
    return p;
  }

  /** The address of `src` if it is a view of this memory that kernels may read in place, else 0. */
  inPlaceAddress(src: ArrayLike<number>): number {
    if (!this.inPlace || !(src instanceof Float32Array)) return 0;
    if (src.buffer === this.memory.buffer) this.ownBuffers.add(src.buffer);
    return this.ownBuffers.has(src.buffer) ? src.byteOffset : 0;
  }

  /**
   * Runs `kernel` with `addr` (`floats` float32s in this memory, e.g. the output tensor's data in the
   * attached heap) as the place where its result goes: a kernel asks for its result's space with
   * result(), and gets this address instead of arena space when the sizes agree.
   */
  withResultAt<T>(addr: number, floats: number, kernel: () => T): T {
    this.resultAddr = addr;
    this.resultFloats = floats;
    try {
      return kernel();
    } finally {
      this.resultAddr = 0;
    }
  }

  /** Space for the running kernel's result: the caller's destination (withResultAt) or arena space. */
  result(floats: number): number {
    if (this.inPlace && this.resultAddr && floats === this.resultFloats) {
      const p = this.resultAddr;
      this.resultAddr = 0;
      return p;
    }
    return this.alloc(floats);
  }

  /**
   * A view of `floats` float32s at `addr` (valid until the next alloc that grows memory). Copy out of
   * it with set(), not slice(): V8 slices a typed array over a SharedArrayBuffer element by element.
   */
  view(addr: number, floats: number): Float32Array {
    return this.f32.subarray(addr >> 2, (addr >> 2) + floats);
  }

  zero(addr: number, floats: number): void {
    this.f32.fill(0, addr >> 2, (addr >> 2) + floats);
  }

  /** Waits until helper `slot` has finished the last thing posted to it (usually long done). */
  private awaitAck(slot: number): void {
    const c = this.ctrl!;
    const base = HEADER + slot * SLOT, want = this.posted[slot]!;
    let spins = 0;
    while (Atomics.load(c, base + 1) !== want && spins++ < 20000) { /* spin */ }
    while (Atomics.load(c, base + 1) !== want) Atomics.wait(c, base + 1, Atomics.load(c, base + 1), 50);
  }

  private acked(slot: number): boolean {
    return Atomics.load(this.ctrl!, HEADER + slot * SLOT + 1) === this.posted[slot];
  }

  /** Posts fn(args) to a helper; args whose index is in `floats` are stored as float32 bits. */
  private post(slot: number, fn: number, args: number[], floats: number[]): void {
    const c = this.ctrl!, cf = this.ctrlF!;
    if (args.length > MAX_ARGS) throw new Error('too many simd job arguments');
    this.awaitAck(slot);
    const base = HEADER + slot * SLOT;
    c[base + 2] = fn;
    c[base + 3] = args.length;
    for (let k = 0; k < args.length; k++) {
      if (floats.includes(k)) cf[base + 4 + k] = args[k]!;
      else c[base + 4 + k] = args[k]!;
    }
    const seq = (this.posted[slot]! + 1) | 0;
    this.posted[slot] = seq;
    Atomics.store(c, base, seq);
    Atomics.notify(c, base);
  }

  /** Runs jobs[0] here and the others on helpers (jobs.length <= threads), returning when all are done. */
  run(jobs: SimdJob[]): void {
    if (jobs.length === 0) return;
    const c = this.ctrl;
    if (jobs.length === 1 || !c) {
      for (const j of jobs) (this.exports[j.fn] as (...a: number[]) => void)(...j.args);
      return;
    }
    c[H_FAILED] = 0;
    for (let i = 1; i < jobs.length; i++) {
      const fi = FN_NAMES.indexOf(jobs[i]!.fn);
      this.post(i - 1, fi, jobs[i]!.args, this.floatArgs[fi]!);
    }
    const j0 = jobs[0]!;
    (this.exports[j0.fn] as (...a: number[]) => void)(...j0.args);
    for (let i = 1; i < jobs.length; i++) this.awaitAck(i - 1);
    if (c[H_FAILED]) throw new Error('Glasswing fast kernels: a helper thread failed');
  }

  /**
   * Runs `fn(...task, ...extra(thread))` for every task, the calling thread and the helpers taking
   * tasks in turn until none are left (so a descheduled helper delays nothing but its current task).
   * `extra` gives each thread's private arguments (scratch, accumulators), for threads 0 …
   * min(threads, tasks) - 1; tasks must not write what another task reads. Returns when every task
   * is done.
   */
  runTasks(fn: SimdFn, tasks: number[][], extra: (thread: number) => number[] = () => []): void {
    const n = tasks.length;
    if (n === 0) return;
    const f = this.exports[fn] as (...a: number[]) => void;
    const c = this.ctrl;
    if (!c || n === 1) {
      const e = extra(0);
      for (const t of tasks) f(...t, ...e);
      return;
    }
    if (n > TASK_MASK) throw new Error('too many simd tasks');
    const na = tasks[0]!.length;
    const table = this.alloc(n * na);
    const fi = FN_NAMES.indexOf(fn), floats = this.floatArgs[fi]!;
    const words = this.i32, t0 = table >> 2;
    for (let i = 0; i < n; i++) for (let k = 0; k < na; k++) words[t0 + i * na + k] = tasks[i]![k]!;
    // Float arguments as float32 bits (read back through a float view).
    if (floats.some((k) => k < na)) {
      const fw = this.f32;
      for (let i = 0; i < n; i++) for (const k of floats) if (k < na) fw[t0 + i * na + k] = tasks[i]![k]!;
    }
    const job = (this.job = (this.job + 1) & ((1 << JOB_BITS) - 1) || 1);
    // Close the list under the new job's tag while the header changes: a helper still leaving the
    // previous list sees a foreign tag and takes nothing.
    Atomics.store(c, H_COUNTER, (job << TASK_BITS) | TASK_MASK);
    c[H_DONE] = 0;
    c[H_FAILED] = 0;
    c[H_TASKS] = n;
    c[H_NARGS] = na;
    c[H_FN] = fi;
    c[H_TABLE] = table;
    Atomics.store(c, H_COUNTER, job << TASK_BITS);
    // Helpers that have not yet acknowledged their last job (descheduled) sit this one out. Only the
    // first n - 1 are offered the list, so `extra` sees threads 0 … min(threads, n) - 1: callers size
    // per-thread scratch by that (gemmReduceK once gave fewer chunks than threads scratch for fewer
    // helpers than it woke, and a helper past them wrote over the task table).
    for (let s = 0; s < Math.min(this.helpers.length, n - 1); s++) {
      if (!this.acked(s)) continue;
      const e = extra(s + 1);
      // [job, mask of float extras, extras...]: extra k is parameter na + k of fn.
      let mask = 0;
      e.forEach((_, k) => { if (floats.includes(na + k)) mask |= 1 << k; });
      this.post(s, FN_TASKS, [job, mask, ...e], e.flatMap((_, k) => (mask & (1 << k) ? [k + 2] : [])));
    }
    const e0 = extra(0);
    let error: unknown = null;
    for (;;) {
      const v = Atomics.load(c, H_COUNTER);
      const i = v & TASK_MASK;
      if (i >= n) break;
      if (Atomics.compareExchange(c, H_COUNTER, v, v + 1) !== v) continue;
      try {
        f(...tasks[i]!, ...e0);
      } catch (e) {
        error ??= e;
      }
      Atomics.add(c, H_DONE, 1);
    }
    let spins = 0;
    while (Atomics.load(c, H_DONE) !== n && spins++ < 20000) { /* spin */ }
    while (Atomics.load(c, H_DONE) !== n) Atomics.wait(c, H_DONE, Atomics.load(c, H_DONE), 50);
    if (error) throw error;
    if (c[H_FAILED]) throw new Error('Glasswing fast kernels: a helper thread failed');
  }
}

let heapModule: WebAssembly.Module | null = null;
const heapInstances = new WeakMap<WebAssembly.Memory, SimdExports>();

/**
 * The SIMD kernels instantiated over another module's (non-shared) memory, e.g. the wasm backend's
 * heap, so that memory-bound kernels run on its tensors in place: single-threaded, but without
 * copying operands into the shared arena and results back. The caller passes addresses in that
 * memory, and scratch space it allocated there.
 */
export function heapKernels(memory: WebAssembly.Memory): SimdExports {
  let k = heapInstances.get(memory);
  if (!k) {
    heapModule ??= new WebAssembly.Module(Buffer.from(SIMD_HEAP_WASM_BASE64, 'base64'));
    k = new WebAssembly.Instance(heapModule, { env: { memory, abort() { throw new Error('simd abort'); } } }).exports as unknown as SimdExports;
    heapInstances.set(memory, k);
  }
  return k;
}

let runtime: SimdRuntime | null = null;

/** The process-wide runtime, created on first use with one thread per core (GLASSWING_THREADS overrides). */
export function simd(): SimdRuntime {
  if (!runtime) {
    runtime = new SimdRuntime();
    const env = Number(process.env.GLASSWING_THREADS);
    runtime.setThreads(Number.isFinite(env) && env > 0 ? env : (os.availableParallelism?.() ?? os.cpus().length));
  }
  return runtime;
}
