// Rewrites a WebAssembly binary that defines its own memory so that it imports a shared one instead
// (`env.memory`, with the threads proposal's shared limits). Glasswing gives the wasm backend's
// module the memory its SIMD kernels and their helper threads work in: tensors are then already
// where the kernels read and write, and no operand is copied in or result copied out.
// Only the import and memory sections change; code, data and exports are copied byte for byte (the
// memory stays index 0, so every load, store and export still refers to it). A few lines of section
// splicing rather than a binary-editing library: those decode and re-encode the whole module (the
// backend's is 200+ kB of code) to change two sections.

export interface MemoryLimits { initial: number; maximum: number | null }

export class WasmRewriteError extends Error {}

function readU32(b: Uint8Array, at: number): [value: number, next: number] {
  let v = 0, shift = 0, i = at;
  for (;;) {
    if (i >= b.length) throw new WasmRewriteError('truncated LEB128 number');
    const byte = b[i++]!;
    v += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [v, i];
    shift += 7;
    if (shift > 28) throw new WasmRewriteError('LEB128 number too long');
  }
}

function u32(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

const name = (s: string): number[] => [...u32(s.length), ...Buffer.from(s, 'utf8')];

interface Section { id: number; body: Uint8Array }

function sections(b: Uint8Array): Section[] {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d || b[4] !== 1) throw new WasmRewriteError('not a WebAssembly version-1 binary');
  const out: Section[] = [];
  let i = 8;
  while (i < b.length) {
    const id = b[i]!;
    const [size, start] = readU32(b, i + 1);
    if (start + size > b.length) throw new WasmRewriteError(`section ${id} runs past the end of the binary`);
    out.push({ id, body: b.subarray(start, start + size) });
    i = start + size;
  }
  return out;
}

/** The limits of the binary's own (defined) memory, or null if it defines none. */
export function definedMemory(bytes: Uint8Array): MemoryLimits | null {
  const mem = sections(bytes).find((s) => s.id === 5);
  if (!mem) return null;
  const [count, at] = readU32(mem.body, 0);
  if (count !== 1) throw new WasmRewriteError(`expected one memory, found ${count}`);
  const flags = mem.body[at]!;
  const [initial, next] = readU32(mem.body, at + 1);
  const maximum = flags & 1 ? readU32(mem.body, next)[0] : null;
  return { initial, maximum };
}

/** The names the binary exports. */
export function exportNames(bytes: Uint8Array): string[] {
  const ex = sections(bytes).find((s) => s.id === 7);
  if (!ex) return [];
  const names: string[] = [];
  let [count, at] = readU32(ex.body, 0);
  for (; count > 0; count--) {
    const [len, start] = readU32(ex.body, at);
    names.push(Buffer.from(ex.body.subarray(start, start + len)).toString('utf8'));
    at = readU32(ex.body, start + len + 1)[1]; // kind byte, then the index
  }
  return names;
}

/**
 * The binary with its memory section turned into an import of a shared memory `env.memory` of
 * `initial`..`maximum` pages (initial at least what the binary declared), or an error if it defines
 * no memory, or more than one.
 */
export function importSharedMemory(bytes: Uint8Array, maximum: number): Uint8Array<ArrayBuffer> {
  const own = definedMemory(bytes);
  if (!own) throw new WasmRewriteError('the binary defines no memory');
  if (own.initial > maximum) throw new WasmRewriteError(`the binary needs ${own.initial} pages, more than ${maximum}`);
  const entry = Uint8Array.from([...name('env'), ...name('memory'), 0x02, 0x03, ...u32(own.initial), ...u32(maximum)]);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const emit = (id: number, ...body: Uint8Array[]): void => {
    parts.push(Uint8Array.from([id, ...u32(body.reduce((n, p) => n + p.length, 0))]), ...body);
  };
  let imported = false;
  for (const s of sections(bytes)) {
    // The import section follows the type section (id 1); make one if the binary imports nothing.
    if (!imported && s.id !== 0 && s.id > 2) {
      emit(2, Uint8Array.from(u32(1)), entry);
      imported = true;
    }
    if (s.id === 2) {
      const [count, at] = readU32(s.body, 0);
      emit(2, Uint8Array.from(u32(count + 1)), s.body.subarray(at), entry);
      imported = true;
    } else if (s.id !== 5) {
      emit(s.id, s.body);
    }
  }
  const result = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    result.set(p, o);
    o += p.length;
  }
  return result;
}
