// Access to the wasm backend's heap for Glasswing's SIMD kernels: its WebAssembly.Memory (so a
// second, non-shared instance of the kernels can run on tensors in place), tensor addresses, and
// scratch space allocated with the backend's own malloc.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapKernels, type SimdExports } from './simd/runtime';

interface EmscriptenModule { asm?: { memory?: unknown }; _malloc?(bytes: number): number; _free?(p: number): void }

const memories = new WeakMap<BackendWasm, WebAssembly.Memory | null>();

/** The backend's memory, or null when this build of the backend does not expose it (then callers copy). */
export function wasmHeapMemory(backend: BackendWasm): WebAssembly.Memory | null {
  let m = memories.get(backend);
  if (m === undefined) {
    const mod = backend.wasm as unknown as EmscriptenModule;
    const mem = mod.asm?.memory;
    m = mem instanceof WebAssembly.Memory && !(mem.buffer instanceof SharedArrayBuffer) && mod._malloc && mod._free ? mem : null;
    memories.set(backend, m);
  }
  return m;
}

/** The SIMD kernels over the backend's heap, or null (see wasmHeapMemory). */
export function heapOf(backend: BackendWasm): SimdExports | null {
  const m = wasmHeapMemory(backend);
  return m ? heapKernels(m) : null;
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
