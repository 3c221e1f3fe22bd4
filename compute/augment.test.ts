import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augmentBatch } from './augment';
import { seededRandom } from './random';

const batch = (n: number, h: number, w: number, c: number) => Float32Array.from({ length: n * h * w * c }, (_, i) => (i * 37) % 101);

test('no options: an identical copy, the input untouched', () => {
  const x = batch(2, 4, 5, 3);
  const before = x.slice();
  const out = augmentBatch(x, [2, 4, 5, 3], {}, seededRandom(1));
  assert.notEqual(out, x);
  assert.deepEqual(Array.from(out), Array.from(x));
  augmentBatch(x, [2, 4, 5, 3], { flip: true, rotation: 15, shift: 0.2, zoom: 0.2 }, seededRandom(1));
  assert.deepEqual(Array.from(x), Array.from(before));
});

test('a flip mirrors each row left to right, channel by channel', () => {
  const x = batch(1, 3, 4, 2);
  const out = augmentBatch(x, [1, 3, 4, 2], { flip: true }, () => 0.1);
  for (let y = 0; y < 3; y++) for (let xo = 0; xo < 4; xo++) for (let k = 0; k < 2; k++) assert.equal(out[(y * 4 + xo) * 2 + k], x[(y * 4 + (3 - xo)) * 2 + k]);
  assert.deepEqual(Array.from(augmentBatch(x, [1, 3, 4, 2], { flip: true }, () => 0.9)), Array.from(x), 'no flip when the draw is ≥ 0.5');
});

test('a shift moves the picture by whole pixels and repeats the edge', () => {
  const x = Float32Array.from({ length: 5 }, (_, i) => i * 10);
  // random() = 1 - ε → shift of almost +0.2 × 5 = +1 pixel to the right; the other draws give dy ≈ +1 (one row: clamped).
  const out = augmentBatch(x, [1, 1, 5, 1], { shift: 0.2 }, () => 0.999999);
  assert.deepEqual(Array.from(out, (v) => Math.round(v)), [0, 0, 10, 20, 30]);
});

test('a 90° rotation of a square image is a transpose-and-flip; zoom keeps the centre', () => {
  const x = Float32Array.from({ length: 9 }, (_, i) => i);
  const out = augmentBatch(x, [1, 3, 3, 1], { rotation: 90 }, () => 1); // +90°
  const rounded = Array.from(out, (v) => Math.round(v));
  assert.equal(rounded[4], 4, 'the centre stays');
  assert.deepEqual(rounded.sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8], 'a permutation of the pixels');
  const zoomed = augmentBatch(x, [1, 3, 3, 1], { zoom: 0.5 }, () => 1); // scale 1.5
  assert.equal(Math.round(zoomed[4]!), 4);
});

test('the same seed gives the same batch; another seed another batch; a wrong shape is refused', () => {
  const x = batch(4, 8, 8, 1);
  const o = { flip: true, rotation: 10, shift: 0.1, zoom: 0.1 };
  const a = augmentBatch(x, [4, 8, 8, 1], o, seededRandom(42));
  assert.deepEqual(Array.from(augmentBatch(x, [4, 8, 8, 1], o, seededRandom(42))), Array.from(a));
  assert.notDeepEqual(Array.from(augmentBatch(x, [4, 8, 8, 1], o, seededRandom(43))), Array.from(a));
  const min = Math.min(...x);
  const max = Math.max(...x);
  for (const v of a) assert.ok(v >= min - 1e-4 && v <= max + 1e-4, 'bilinear stays within the range');
  assert.throws(() => augmentBatch(x, [4, 8, 8, 3], o, Math.random), /does not match/);
});
