import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mnistStyleDigit, resizeArea } from './mnist-digit';

test('area resizing averages what each output pixel covers', () => {
  // 4 → 2 across: pairs averaged; 3 → 2: thirds shared.
  assert.deepEqual(Array.from(resizeArea(Float32Array.from([0, 100, 200, 100]), 1, 4, 1, 2)), [50, 150]);
  const r = resizeArea(Float32Array.from([30, 60, 90]), 1, 3, 1, 2);
  assert.ok(Math.abs(r[0]! - 40) < 1e-4 && Math.abs(r[1]! - 80) < 1e-4, Array.from(r).join(','));
});

test('a stroke in a corner of a large pad: cropped, scaled into 20×20 keeping aspect, centred by its centre of mass', () => {
  // A solid 40 × 20 block of ink at the top-left of a 100 × 100 pad.
  const pad = new Float32Array(100 * 100);
  for (let y = 0; y < 40; y++) for (let x = 0; x < 20; x++) pad[y * 100 + x] = 255;
  const digit = mnistStyleDigit(pad, 100, 100);
  // 40 × 20 → 20 × 10 (longer side 20); centre of mass (9.5, 4.5) moves to (14, 14):
  // rows round(14 − 9.5) = 5 … 24, columns round(14 − 4.5) = 10 … 19.
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const inside = y >= 5 && y <= 24 && x >= 10 && x <= 19;
      assert.equal(digit[y * 28 + x], inside ? 255 : 0, `(${y}, ${x})`);
    }
  }
});

test('the same digit drawn large, small or off-centre comes out the same; a blank pad stays blank', () => {
  const draw = (n: number, y0: number, x0: number, s: number) => {
    const pad = new Float32Array(n * n);
    // An "L": a vertical bar and a foot, s pixels per unit.
    for (let y = 0; y < 5 * s; y++) for (let x = 0; x < s; x++) pad[(y0 + y) * n + x0 + x] = 255;
    for (let y = 4 * s; y < 5 * s; y++) for (let x = 0; x < 3 * s; x++) pad[(y0 + y) * n + x0 + x] = 255;
    return pad;
  };
  const big = mnistStyleDigit(draw(280, 10, 10, 50), 280, 280);
  const small = mnistStyleDigit(draw(280, 200, 150, 10), 280, 280);
  assert.deepEqual(Array.from(big), Array.from(small));
  assert.ok(big.some((v) => v > 0));
  assert.ok(mnistStyleDigit(new Float32Array(100), 10, 10).every((v) => v === 0));
});
