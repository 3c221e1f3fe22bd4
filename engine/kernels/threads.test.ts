// Threaded kernels give the single-threaded results bit for bit: the same convolutions (implicit
// GEMM and Winograd) and their gradients, matrix products, depthwise convolutions and pooling
// gradients with 1 and with 3 threads (3 forces every split: by rows, by columns, by image, by
// Winograd tile, by fixed chunks of a reduction), and with the thread counts of larger machines
// (6, 8, 16: more threads than some splits have parts, so some parts are empty).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backend_util } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilter, conv2dBackpropInput, conv2dForward } from './conv';
import { batchMatMul } from './matmul';
import { maxPoolGrad } from './pool';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseForward } from './depthwise';
import { setKernelThreads, kernelThreads } from './index';
import { rand, relErr } from './test-util';
import { simdSumLeading } from './sum-leading';
import { setHelperSpinMs, simd } from './simd/runtime';

type Shape4 = [number, number, number, number];

function results(): Float32Array[] {
  const out: Float32Array[] = [];
  const copy = (v: Float32Array) => out.push(Float32Array.from(v));
  // LeNet's two convolutions (one channel: the few-channel kernels, by output row and by image; 16
  // filters: GEMM), an RGB first layer with stride 2 (few-channel filter gradient), Winograd F(2x2, 3x3),
  // F(4x4, 3x3) and F(2x2, 5x5), a 5x5 stride-2 convolution through space to depth, a 3x3 stride-2
  // one on 6x6 outputs (the stride-2 kernel's 3x3 tiles).
  for (const [xs, fs, pad, seed, stride = 1] of [[[8, 28, 28, 1], [5, 5, 1, 6], 'same', 1], [[8, 14, 14, 6], [5, 5, 6, 16], 'valid', 2], [[5, 17, 17, 3], [3, 3, 3, 20], 'same', 16, 2], [[3, 9, 9, 4], [3, 3, 4, 12], 'same', 3], [[3, 11, 10, 16], [3, 3, 16, 20], 'same', 9], [[2, 12, 12, 12], [3, 3, 12, 24], 'valid', 10], [[2, 14, 13, 8], [3, 3, 8, 12], 'same', 13], [[2, 12, 11, 8], [5, 5, 8, 12], 'same', 14], [[3, 17, 16, 6], [5, 5, 6, 12], 'same', 33, 2], [[8, 12, 11, 16], [3, 3, 16, 24], 'same', 35, 2]] as [Shape4, Shape4, 'same' | 'valid', number, number?][]) {
    const ci = backend_util.computeConv2DInfo(xs, fs, [stride, stride], 1, pad, undefined, false, 'channelsLast');
    const x = rand(xs.reduce((a, b) => a * b), seed), w = rand(fs.reduce((a, b) => a * b), seed + 1);
    const dy = rand(ci.outShape.reduce((a, b) => a * b), seed + 2);
    copy(conv2dForward(ci, x, w, null, 'linear'));
    copy(conv2dBackpropFilter(ci, x, dy));
    copy(conv2dBackpropInput(ci, dy, w));
  }
  // Rows split, columns split (few rows; more columns than rows), few rows and columns over a long K
  // (once split by K per thread: partial sums that changed the bits with the thread count), LeNet's
  // 120→84 dense layer at batch 64 on 6 threads.
  // Rows split with a B of over 2^18 floats: tasks of at least 192 rows, rounded to whole rounds
  // of threads (5 → 3 on 3 threads), fewer than 6-16 threads.
  for (const [M, K, N, seed] of [[300, 40, 20, 4], [6, 100, 300, 5], [6, 5000, 8, 6], [40, 64, 300, 15], [64, 120, 84, 17], [20, 1100, 30, 18], [800, 600, 450, 19]]) {
    copy(batchMatMul([M!, K!], rand(M! * K!, seed!), [K!, N!], rand(K! * N!, seed! + 1), false, false)!.values);
  }
  for (const [xs, fs, stride, seed] of [[[3, 13, 12, 24], [3, 3, 24, 1], 2, 11], [[4, 9, 9, 6], [3, 3, 6, 2], 1, 12]] as [Shape4, Shape4, number, number][]) {
    const ci = backend_util.computeConv2DInfo(xs, fs, [stride, stride], 1, 'same', undefined, true, 'channelsLast');
    const x = rand(xs.reduce((a, b) => a * b), seed), w = rand(fs.reduce((a, b) => a * b), seed + 1);
    const dy = rand(ci.outShape.reduce((a, b) => a * b), seed + 2);
    copy(depthwiseForward(ci, x, w, rand(ci.outChannels, seed + 3), 'relu6'));
    copy(depthwiseBackpropInput(ci, dy, w));
    copy(depthwiseBackpropFilter(ci, x, dy));
  }
  const pi = backend_util.computePool2DInfo([16, 12, 12, 6], [2, 2], [2, 2], 1, 'valid');
  copy(maxPoolGrad(pi, rand(16 * 6 * 6 * 6, 7), rand(16 * 12 * 12 * 6, 8)));
  return out;
}

test('kernels give the same bits on 1 thread as on 3, 6, 8 and 16', () => {
  const before = kernelThreads();
  try {
    setKernelThreads(1);
    const single = results();
    for (const threads of [3, 6, 8, 16]) {
      setKernelThreads(threads);
      assert.equal(kernelThreads(), threads);
      const threaded = results();
      assert.equal(threaded.length, single.length);
      threaded.forEach((t, i) => assert.ok(relErr(t, single[i]!) === 0, `${threads} threads, result ${i}: rel err ${relErr(t, single[i]!)}`));
    }
  } finally {
    setKernelThreads(before);
  }
});

test('reductions (filter gradients, depthwise filter gradients, bias gradients) give the same bits on 1 thread as on 3 (run after run), 8 and 16', () => {
  const before = kernelThreads();
  const reductions = (): Float32Array[] => {
    const out: Float32Array[] = [];
    // The direct gradients, by chunk of images (one channel, RGB with stride 2, 6 channels with few
    // filters), Winograd's filter gradients (by chunk of tiles: F(4x4, 3x3), F(2x2, 3x3) on a
    // small map, F(2x2, 5x5)), the GEMM's (by chunk of pixels: stride 2). The chunk sums of the
    // larger ones (32 channels, 64→128) are added on the threads by ranges of elements. A 5x5
    // stride-2 one through space to depth (F(4x4, 3x3) over 4C channels). A 3x3 stride-2 one on 6x6
    // outputs (3x3 tiles, 64→128). A 128→124 one on 8x8 (U past 2 MiB: split by points).
    for (const [xs, fs, seed, stride] of [[[64, 28, 28, 1], [5, 5, 1, 6], 21, 1], [[32, 33, 33, 3], [5, 5, 3, 12], 29, 2], [[16, 12, 12, 6], [3, 3, 6, 5], 30, 1],
      [[32, 32, 32, 32], [3, 3, 32, 32], 22, 1], [[32, 9, 9, 16], [3, 3, 16, 16], 26, 1],
      [[16, 24, 24, 8], [5, 5, 8, 16], 27, 1], [[16, 32, 32, 16], [3, 3, 16, 24], 28, 2], [[32, 16, 16, 64], [3, 3, 64, 128], 31, 2], [[5, 13, 13, 64], [3, 3, 64, 120], 32, 1], [[16, 32, 32, 16], [5, 5, 16, 32], 34, 2], [[32, 12, 12, 64], [3, 3, 64, 128], 36, 2], [[3, 8, 8, 128], [3, 3, 128, 124], 37, 1]] as [Shape4, Shape4, number, number][]) {
      const ci = backend_util.computeConv2DInfo(xs, fs, [stride, stride], 1, 'same', undefined, false, 'channelsLast');
      const dy = rand(ci.outShape.reduce((a, b) => a * b), seed + 1);
      out.push(Float32Array.from(conv2dBackpropFilter(ci, rand(xs.reduce((a, b) => a * b), seed), dy)));
    }
    const di = backend_util.computeConv2DInfo([32, 28, 28, 32], [3, 3, 32, 1], [1, 1], 1, 'same', undefined, true, 'channelsLast');
    out.push(Float32Array.from(depthwiseBackpropFilter(di, rand(32 * 28 * 28 * 32, 23), rand(32 * 28 * 28 * 32, 24))));
    out.push(simdSumLeading([8192, 256], rand(8192 * 256, 25), [0])!.values);
    return out;
  };
  try {
    setKernelThreads(1);
    const single = reductions();
    for (const threads of [3, 3, 3, 8, 16]) {
      setKernelThreads(threads);
      reductions().forEach((r, i) => assert.deepEqual(r, single[i], `reduction ${i} on ${threads} threads: not the single-threaded bits`));
    }
  } finally {
    setKernelThreads(before);
  }
});

test('the kernel threads asked for private arguments number min(threads, tasks), and every task runs once', () => {
  // Callers size per-thread scratch by that count (gemmReduceK: one per chunk); a helper past it
  // once wrote over the task table.
  const before = kernelThreads();
  try {
    setKernelThreads(16);
    const rt = simd();
    for (const n of [2, 3, 5, 16, 40]) {
      rt.reset();
      const out = rt.alloc(4 * n);
      const seen = new Set<number>();
      // Each task adds 1 to its own 4 floats (addInto of a vector of ones).
      const ones = rt.put(new Float32Array(4).fill(1));
      rt.zero(out, 4 * n);
      rt.runTasks('addInto', Array.from({ length: n }, (_, i) => [out + 16 * i, ones, 4]), (t) => (seen.add(t), []));
      assert.ok(Math.max(...seen) < Math.min(16, n), `${n} tasks: threads ${[...seen].join(',')} asked for arguments`);
      assert.deepEqual(Array.from(rt.view(out, 4 * n)), new Array(4 * n).fill(1), `${n} tasks: each once`);
    }
  } finally {
    setKernelThreads(before);
  }
});

test('idle helper threads poll for a while after a job, then sleep, and a sleeping helper still takes the next job', async () => {
  // A helper that never stopped polling (its clock check broken) would hold a core while the
  // process idles: 2 helpers polling through the wait take about 800 ms of CPU time.
  const before = kernelThreads();
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    setHelperSpinMs(1);
    setKernelThreads(3);
    const rt = simd();
    /** Runs 16 tasks; returns the threads that were offered some (a helper still starting is not). */
    const run = (): Set<number> => {
      rt.reset();
      const out = rt.alloc(64), ones = rt.put(new Float32Array(4).fill(1)), seen = new Set<number>();
      rt.zero(out, 64);
      rt.runTasks('addInto', Array.from({ length: 16 }, (_, i) => [out + 16 * i, ones, 4]), (t) => (seen.add(t), []));
      assert.deepEqual(Array.from(rt.view(out, 64)), new Array(64).fill(1));
      return seen;
    };
    // Until both helpers have started (their start-up takes CPU time of its own).
    for (let i = 0; i < 200 && run().size < 3; i++) await wait(20);
    await wait(50); // past the polling time: the helpers go to sleep
    const cpu0 = process.cpuUsage();
    await wait(400);
    const cpu = process.cpuUsage(cpu0);
    const ms = (cpu.user + cpu.system) / 1000;
    assert.ok(ms < 200, `the process used ${ms.toFixed(0)} ms of CPU in 400 ms with its kernel helpers idle`);
    assert.equal(run().size, 3, 'the sleeping helpers are offered the next job');
  } finally {
    setKernelThreads(before);
  }
});
