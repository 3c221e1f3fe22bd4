// floatParams reads which exported parameters are floats from a module's binary; a misread sends a
// float argument to a helper thread as integer bits (a clip bound or a learning rate turned garbage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floatParams } from './wasm-signatures';
import { SIMD_RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from './simd-binary';

test('float parameters are found past imports of memory and functions', () => {
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 = (i32, f32) -> (), 1 = () -> ()
    0x01, 0x09, 0x02, 0x60, 0x02, 0x7f, 0x7d, 0x00, 0x60, 0x00, 0x00,
    // imports: env.memory (memory, min 1), env.f (function of type 1)
    0x02, 0x17, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01,
    0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x01,
    // one function of type 0, exported as "g" (function index 1: the import is 0)
    0x03, 0x02, 0x01, 0x00,
    0x07, 0x05, 0x01, 0x01, 0x67, 0x00, 0x01,
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
  ]);
  assert.ok(WebAssembly.validate(bytes), 'the hand-written module is valid');
  assert.deepEqual(floatParams(bytes).get('g'), [1]);
});

test("the kernels' float parameters are read from both shipped builds", () => {
  for (const b64 of [SIMD_WASM_BASE64, SIMD_RELAXED_WASM_BASE64]) {
    const fp = floatParams(new Uint8Array(Buffer.from(b64, 'base64')));
    assert.deepEqual(fp.get('clamp'), [2, 3]);
    assert.deepEqual(fp.get('adam'), [8, 9, 10, 11, 12, 13, 14, 15]);
    assert.deepEqual(fp.get('pad2d'), [9]);
    assert.deepEqual(fp.get('gemmJob'), []);
    assert.deepEqual(fp.get('relaxedSimd'), []);
  }
});
