import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, WireError } from './wire';

test('typed arrays, NaN and infinities survive a round trip, as views of the received bytes', () => {
  const message = {
    type: 'done',
    predictions: new Float32Array([1.5, -2, NaN]),
    pixels: new Uint8Array([0, 7, 255]),
    rows: new Int32Array([3, -1]),
    nested: [{ w: new Float64Array([Math.PI]) }],
    accuracy: NaN,
    big: Infinity,
    small: -Infinity,
    plain: { a: 1, s: 'x' },
  };
  const bytes = encode(message);
  const back = decode(bytes) as typeof message;
  assert.ok(back.predictions instanceof Float32Array);
  assert.deepEqual([...back.predictions.subarray(0, 2)], [1.5, -2]);
  assert.ok(Number.isNaN(back.predictions[2]));
  assert.deepEqual([...back.pixels], [0, 7, 255]);
  assert.deepEqual([...back.rows], [3, -1]);
  assert.equal(back.nested[0]!.w[0], Math.PI);
  assert.ok(Number.isNaN(back.accuracy));
  assert.equal(back.big, Infinity);
  assert.equal(back.small, -Infinity);
  assert.deepEqual(back.plain, { a: 1, s: 'x' });
  assert.equal(back.predictions.buffer, back.pixels.buffer, 'no copies: views of one buffer');
});

test('a message that arrives at an odd offset (a pooled Node buffer) still decodes', () => {
  const bytes = encode({ v: new Float32Array([1, 2, 3]) });
  const pooled = new Uint8Array(bytes.length + 3);
  pooled.set(bytes, 3);
  const back = decode(pooled.subarray(3)) as { v: Float32Array };
  assert.deepEqual([...back.v], [1, 2, 3]);
});

test('malformed or hostile bytes are refused with WireError, never read out of bounds', () => {
  const good = encode({ v: new Float32Array(4) });
  const cases: Uint8Array[] = [
    new Uint8Array(0),
    new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
    good.subarray(0, 12),
    good.subarray(0, good.length - 8), // the array is cut short
  ];
  const forged = (header: string) => {
    const h = new TextEncoder().encode(header);
    const out = new Uint8Array(((8 + h.length + 7) & ~7) + 8);
    const view = new DataView(out.buffer);
    view.setUint32(0, 0x31435747, true);
    view.setUint32(4, h.length, true);
    out.set(h, 8);
    return out;
  };
  cases.push(forged('{"v":{"$ta":"f32","o":0,"n":1000000}}'));
  cases.push(forged('{"v":{"$ta":"f32","o":-8,"n":1}}'));
  cases.push(forged('{"v":{"$ta":"f32","o":4,"n":1}}'));
  cases.push(forged('{"v":{"$ta":"constructor","o":0,"n":1}}'));
  cases.push(forged('{"v":{"$num":"5"}}'));
  cases.push(forged('not json'));
  for (const c of cases) assert.throws(() => decode(c), WireError);
  // A header that merely looks like a reference is fine as data when it is one.
  assert.deepEqual(decode(forged('{"v":{"$ta":"u8","o":0,"n":8}}')), { v: new Uint8Array(8) });
});
