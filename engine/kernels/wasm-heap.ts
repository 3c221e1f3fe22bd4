// Access to the wasm backend's heap for Glasswing's SIMD kernels: its WebAssembly.Memory, tensor
// addresses, and scratch space allocated with the backend's own malloc.
// Normally the heap *is* the kernels' shared memory (shareHeapWithKernels): the backend's module is
// given that memory when it is instantiated, so the threaded kernels read tensors where they are and
// write results straight into output tensors. Where that did not happen (another build of the
// backend, a second instance), a non-shared instance of the kernels runs in the heap for the
// memory-bound kernels, and the threaded ones copy operands in and results out.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapKernels, MAX_PAGES, simd, type SimdExports, type SimdFn } from './simd/runtime';
import { parallelRange } from './gemm';
import { definedMemory, exportNames, importSharedMemory } from './simd/import-shared-memory';

interface EmscriptenModule { asm?: { memory?: unknown }; _malloc?(bytes: number): number; _free?(p: number): void }

const memories = new WeakMap<BackendWasm, WebAssembly.Memory | null>();

/** The backend's memory, or null when this build of the backend does not expose it (then callers copy). */
export function wasmHeapMemory(backend: BackendWasm): WebAssembly.Memory | null {
  let m = memories.get(backend);
  if (m === undefined) {
    const mod = backend.wasm as unknown as EmscriptenModule;
    const mem = mod.asm?.memory;
    const usable = mem instanceof WebAssembly.Memory && (!(mem.buffer instanceof SharedArrayBuffer) || mem === simd().memory);
    m = usable && mod._malloc && mod._free ? mem : null;
    memories.set(backend, m);
  }
  return m;
}

/** The SIMD kernels over the backend's heap, or null (see wasmHeapMemory). */
export function heapOf(backend: BackendWasm): SimdExports | null {
  const m = wasmHeapMemory(backend);
  return !m ? null : m === simd().memory ? simd().exports : heapKernels(m);
}

/** Whether the backend's heap is the kernels' shared memory (its tensors need no copying). */
export function sharesKernelMemory(backend: BackendWasm): boolean {
  return wasmHeapMemory(backend) === simd().memory;
}

/** Whether the kernels read and write the backend's tensors in place (shared heap, not switched off for comparisons). */
export function tensorsInPlace(backend: BackendWasm): boolean {
  return simd().inPlace && sharesKernelMemory(backend);
}

/**
 * Whether a memory-bound kernel over `n` values should be split over the threads, in place in the
 * shared memory. Measured against one thread on 2 cores: from 2^19 values (2 MB) the relu gradient
 * is 1.0-1.4× and the Adam update 1.6× faster, at 2^21 1.8× and 2.4×; at 2^17 both are 15-20% slower.
 */
export function memoryBoundOnThreads(backend: BackendWasm, n: number): boolean {
  return memoryBoundThreads && n >= MEMORY_BOUND_THREADS_MIN && simd().threads > 1 && tensorsInPlace(backend);
}
const MEMORY_BOUND_THREADS_MIN = 1 << 19;

/**
 * Runs kernel `fn` over items [0, count) (images, rows of a reduction: its last two arguments, after
 * `args`) on tensors in the backend's heap: one item or more per task on the threads where `n`
 * values make it memory-bound (memoryBoundOnThreads), else in one call.
 */
export function runOverItems(backend: BackendWasm, fn: SimdFn, args: number[], count: number, n: number): void {
  if (memoryBoundOnThreads(backend, n)) {
    simd().reset();
    parallelRange(simd(), count, 1, (lo, hi) => ({ fn, args: [...args, lo, hi] }));
  } else {
    (heapOf(backend)![fn] as (...a: number[]) => void)(...args, 0, count);
  }
}
let memoryBoundThreads = true;
/** For measurements: memory-bound kernels on the threads where they qualify (true), or always on one. */
export function setMemoryBoundThreads(on: boolean): void {
  memoryBoundThreads = on;
}

interface EmscriptenImports { env?: Record<string, unknown> }
type Instantiate = typeof WebAssembly.instantiate;
let hookInstalled = false;

/**
 * Arranges for the wasm backend's module, when TF.js instantiates it, to run in the SIMD kernels'
 * shared memory: its binary is rewritten to import that memory instead of defining its own, and the
 * kernels' arena then takes its space from the module's malloc. Recognises the module by its
 * Emscripten imports (it asks for emscripten_resize_heap and brings its own memory); one module only.
 * GLASSWING_SHARED_HEAP=0 leaves the backend as shipped (operands are then copied).
 */
export function shareHeapWithKernels(): void {
  if (hookInstalled || process.env.GLASSWING_SHARED_HEAP === '0') return;
  hookInstalled = true;
  const original = WebAssembly.instantiate;
  const hook = function (this: unknown, source: unknown, imports?: EmscriptenImports) {
    const env = imports?.env;
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : null;
    if (bytes && env && typeof env.emscripten_resize_heap === 'function' && !('memory' in env)) {
      WebAssembly.instantiate = original;
      const shared = withSharedMemory(bytes);
      if (shared) {
        const rt = simd();
        const need = shared.initialPages * 65536 - rt.memory.buffer.byteLength;
        if (need > 0) rt.memory.grow(Math.ceil(need / 65536));
        // The kernels' earlier scratch must not show through the module's zero-initialised data.
        new Uint8Array(rt.memory.buffer).fill(0);
        const instantiateBytes = original as (b: BufferSource, i: WebAssembly.Imports) => Promise<WebAssembly.WebAssemblyInstantiatedSource>;
        return instantiateBytes(shared.bytes, { ...imports, env: { ...env, memory: rt.memory } } as WebAssembly.Imports).then((r) => {
          const ex = r.instance.exports as { malloc?: (n: number) => number; free?: (p: number) => void };
          if (ex.malloc && ex.free) rt.attachHeap({ malloc: ex.malloc, free: ex.free });
          return r;
        }, () => instantiateBytes(bytes as Uint8Array<ArrayBuffer>, imports as WebAssembly.Imports)); // as shipped, if the rewrite does not link
      }
    }
    return (original as (...a: unknown[]) => unknown).apply(this, [source, imports]);
  };
  WebAssembly.instantiate = hook as unknown as Instantiate;
}

/** The binary rewritten to import a shared memory, or null when it cannot be (then it runs as shipped). */
function withSharedMemory(bytes: Uint8Array): { bytes: Uint8Array<ArrayBuffer>; initialPages: number } | null {
  try {
    const own = definedMemory(bytes);
    if (!own) return null;
    // Its exports must include the allocator the arena will use.
    const names = exportNames(bytes);
    if (!names.includes('malloc') || !names.includes('free')) return null;
    return { bytes: importSharedMemory(bytes, MAX_PAGES), initialPages: own.initial };
  } catch {
    return null;
  }
}

/** Byte address of a tensor's data in the heap. */
export function addrOf(backend: BackendWasm, t: TensorInfo): number {
  return backend.typedArrayFromHeap(t).byteOffset;
}

/** Runs `f` with `bytes` of heap scratch (64-byte aligned), freed afterwards. */
export function withScratch<T>(backend: BackendWasm, bytes: number, f: (addr: number) => T): T {
  const mod = backend.wasm as unknown as Required<EmscriptenModule>;
  const p = mod._malloc(bytes + 64);
  try {
    return f((p + 63) & ~63);
  } finally {
    mod._free(p);
  }
}
