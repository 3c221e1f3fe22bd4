// A few seeds of the kernel fuzzer (fuzz.ts) on every run; `npm run fuzz:kernels` runs hundreds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzKernels } from './fuzz';

test('random convolutions, other kernels and small models match the stock kernels (a few fuzzer seeds)', async () => {
  const report = await fuzzKernels({ seed: 1, convCases: 30, opCases: 15, models: 20 });
  assert.ok(report.checks > 100, `only ${report.checks} checks ran`);
  assert.deepEqual(report.failures, []);
});
