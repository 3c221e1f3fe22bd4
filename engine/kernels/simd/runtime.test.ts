// The kernels' arena refuses what it cannot hold, by name and size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simd } from './runtime';

test('an allocation past the 2 GiB arena names its size instead of wrapping to a smaller block', () => {
  const rt = simd();
  rt.reset();
  // 4.6 GB (a 6000×6000 map of 32 filters) wrapped to 313 MB, 2.4 GB to a negative size.
  assert.throws(() => rt.alloc(1_152_000_000), /one layer needs 4395 MiB at once, more than the 2 GiB the kernels can address: use smaller images or a smaller batch/);
  assert.throws(() => rt.alloc(600_000_000), /one layer needs 2289 MiB/);
  const a = rt.alloc(1000), b = rt.alloc(1000);
  assert.ok(b >= a + 4000, 'the arena still hands out blocks afterwards');
  rt.reset();
});
