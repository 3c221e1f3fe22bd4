// importSharedMemory turns a module's own memory into an import of a shared one. A wrong splice
// either fails to compile or, worse, leaves a module that runs on a private memory: the kernels would
// then read tensors that are not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { definedMemory, exportNames, importSharedMemory, WasmRewriteError } from './import-shared-memory';

// (memory 1 2) (data (i32.const 16) "\2a") with store(addr, v) and load(addr) exported, and the
// memory exported as "memory"; no import section (the rewrite must make one).
const SMALL = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // types: 0 = (i32, i32) -> (), 1 = (i32) -> (i32)
  0x01, 0x0b, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f,
  0x03, 0x03, 0x02, 0x00, 0x01,
  // memory: min 1, max 2
  0x05, 0x04, 0x01, 0x01, 0x01, 0x02,
  // exports: store (func 0), load (func 1), memory (memory 0)
  0x07, 0x19, 0x03, 0x05, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x00, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01,
  0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  // code: store = i32.store(local 0, local 1); load = i32.load(local 0)
  0x0a, 0x13, 0x02, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x36, 0x02, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b,
  // data: 0x2a at address 16
  0x0b, 0x07, 0x01, 0x00, 0x41, 0x10, 0x0b, 0x01, 0x2a,
]);

test('a module with its own memory then runs in the shared memory it is given', () => {
  assert.deepEqual(definedMemory(SMALL), { initial: 1, maximum: 2 });
  const out = importSharedMemory(SMALL, 8);
  assert.equal(definedMemory(out), null);
  const mod = new WebAssembly.Module(out);
  assert.deepEqual(WebAssembly.Module.imports(mod), [{ module: 'env', name: 'memory', kind: 'memory' }]);
  assert.deepEqual(exportNames(out), ['store', 'load', 'memory']);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 8, shared: true });
  const ex = new WebAssembly.Instance(mod, { env: { memory } }).exports as { store(a: number, v: number): void; load(a: number): number; memory: WebAssembly.Memory };
  const words = new Int32Array(memory.buffer);
  assert.equal(words[4], 0x2a, 'the data segment lands in the given memory');
  ex.store(64, 1234);
  assert.equal(words[16], 1234, 'stores reach the given memory');
  words[20] = -7;
  assert.equal(ex.load(80), -7, 'loads read it');
  assert.equal(ex.memory, memory, 'the export is the given memory itself');
  assert.ok(memory.buffer instanceof SharedArrayBuffer);
});

test('the wasm backend binary keeps its imports and exports, and imports the shared memory last', () => {
  const req = createRequire(__filename);
  const dir = path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const bytes = readFileSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'));
  const before = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
  const out = importSharedMemory(bytes, 32768);
  const mod = new WebAssembly.Module(out);
  assert.deepEqual(WebAssembly.Module.imports(mod), [...before, { module: 'env', name: 'memory', kind: 'memory' }]);
  assert.deepEqual(WebAssembly.Module.exports(mod), WebAssembly.Module.exports(new WebAssembly.Module(bytes)));
  assert.ok(exportNames(bytes).includes('malloc') && exportNames(bytes).includes('free'));
});

test('binaries it cannot rewrite are refused with a reason', () => {
  assert.throws(() => importSharedMemory(new Uint8Array([1, 2, 3]), 8), WasmRewriteError);
  const noMemory = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  assert.throws(() => importSharedMemory(noMemory, 8), /defines no memory/);
  assert.throws(() => importSharedMemory(SMALL, 0), /needs 1 pages/);
  // A section claiming more bytes than the binary has.
  assert.throws(() => definedMemory(new Uint8Array([...SMALL.subarray(0, 8), 0x05, 0x7f, 0x01])), /runs past the end/);
});
