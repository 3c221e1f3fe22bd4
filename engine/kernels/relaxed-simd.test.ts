// The relaxed-SIMD build (fused multiply-add; what Electron and, with the flag the runtime sets,
// Node 20 run) gives the base build's results to float rounding: the same convolutions, gradients
// and matrix products in a child Node process held to the base build (GLASSWING_SIMD=base).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { backend_util } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, conv2dBackpropInput, conv2dForward } from './conv';
import { depthwiseForward } from './depthwise';
import { batchMatMul } from './matmul';
import { simd } from './simd/runtime';
import { rand, relErr } from './test-util';

type Shape4 = [number, number, number, number];

/** A few kernels' results on this process's SIMD build (exported for the child process). */
export function kernelResults(): number[][] {
  const out: number[][] = [];
  for (const [xs, fs, pad] of [[[2, 9, 9, 16], [3, 3, 16, 12], 'same'], [[2, 10, 11, 5], [5, 5, 5, 20], 'valid']] as [Shape4, Shape4, 'same' | 'valid'][]) {
    const ci = backend_util.computeConv2DInfo(xs, fs, [1, 1], 1, pad, undefined, false, 'channelsLast');
    const x = rand(xs.reduce((a, b) => a * b), 1), w = rand(fs.reduce((a, b) => a * b), 2), dy = rand(ci.outShape.reduce((a, b) => a * b), 3);
    out.push(Array.from(conv2dForward(ci, x, w, null, 'relu')), Array.from(conv2dBackpropInput(ci, dy, w)), Array.from(conv2dBackpropFilter(ci, x, dy)));
  }
  const dci = backend_util.computeConv2DInfo([2, 8, 8, 12], [3, 3, 12, 1], [2, 2], 1, 'same', undefined, true, 'channelsLast');
  out.push(Array.from(depthwiseForward(dci, rand(2 * 8 * 8 * 12, 4), rand(3 * 3 * 12, 5), null, 'linear')));
  out.push(Array.from(batchMatMul([37, 70], rand(37 * 70, 6), [70, 29], rand(70 * 29, 7), false, false)!.values));
  return out;
}

if (process.env.GLASSWING_RELAXED_CHILD === '1') {
  process.stdout.write(JSON.stringify({ relaxed: simd().relaxed, results: kernelResults() }));
} else {
  test('the relaxed-SIMD (FMA) build matches the base build', () => {
    const fused = kernelResults();
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'relaxed-simd.test.ts')],
      { env: { ...process.env, GLASSWING_RELAXED_CHILD: '1', GLASSWING_SIMD: 'base' }, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const child = JSON.parse(r.stdout) as { relaxed: boolean; results: number[][] };
    assert.equal(simd().relaxed, true, 'this process should turn relaxed SIMD on and use the FMA build');
    assert.equal(child.relaxed, false, 'GLASSWING_SIMD=base holds the child to the base build');
    child.results.forEach((v, i) => assert.ok(relErr(Float32Array.from(v), Float32Array.from(fused[i]!)) < 1e-5, `result ${i}: rel err ${relErr(Float32Array.from(v), Float32Array.from(fused[i]!))}`));
  });
}
