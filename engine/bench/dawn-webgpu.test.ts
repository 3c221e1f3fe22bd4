// The bench's WebGPU-through-Dawn backend: a clear reason where Dawn is missing, and — where Dawn for
// Node is installed (CI installs it: `npm install --no-save webgpu`) — Glasswing's webgpu kernels
// (compute/webgpu-*.ts, the ones the page's compute worker runs) against the CPU. They run on
// Chromium's SwiftShader Vulkan driver where it is there, as the browser tests do: a software GPU
// that is the same everywhere (VK_ICD_FILENAMES set by hand picks another driver).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tf } from '../backends';
import { loadDawnWebGpu } from './dawn-webgpu';
import { setWebGpuAdam } from '../../compute/webgpu-adam';
import { setColsBudget } from '../../compute/webgpu-conv-filter-grad';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env['VK_ICD_FILENAMES'] && !process.env['VK_DRIVER_FILES'] && existsSync(SWIFTSHADER_ICD)) process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;

test('without Dawn for Node, webgpu is unavailable with how to install it', () => {
  const script = "require('./engine/bench/dawn-webgpu').loadDawnWebGpu().then((r) => console.log(JSON.stringify(r)))";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, GLASSWING_DAWN: '/nonexistent/webgpu/index.js' },
  });
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; reason?: string };
  assert.equal(result.ok, false);
  assert.match(result.reason!, /Dawn for Node is not installed \(npm install --no-save webgpu/);
});

test('where Dawn finds an adapter, a convolution and its gradients match the CPU', async (t) => {
  const dawn = await loadDawnWebGpu();
  if (!dawn.ok) {
    t.skip(dawn.reason);
    return;
  }
  assert.match(dawn.device, /^GPU \(WebGPU through Dawn: /);
  await tf.setBackend('cpu');
  const x = tf.randomUniform([2, 9, 9, 3], -1, 1, 'float32', 1).arraySync();
  const w = tf.randomUniform([3, 3, 3, 5], -1, 1, 'float32', 2).arraySync();
  const run = async (backend: string) => {
    assert.ok(await tf.setBackend(backend));
    const xs = tf.tensor4d(x as number[][][][]);
    const v = tf.variable(tf.tensor4d(w as number[][][][]), true, `w_${backend}`);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.relu(tf.conv2d(xs, v, 1, 'same'))) as tf.Scalar, [v]);
    const out = [await value.data(), ...(await Promise.all(Object.values(grads).map((g) => g.data())))];
    tf.dispose([xs, v, value, ...Object.values(grads)]);
    return out.map((a) => Array.from(a));
  };
  const gpu = await run('webgpu');
  const cpu = await run('cpu');
  for (let i = 0; i < cpu.length; i++) {
    for (let j = 0; j < cpu[i]!.length; j++) assert.ok(Math.abs(gpu[i]![j]! - cpu[i]![j]!) <= 1e-4 * Math.max(1, Math.abs(cpu[i]![j]!)), `output ${i}[${j}]: ${gpu[i]![j]} vs ${cpu[i]![j]}`);
  }
});

test('where Dawn finds an adapter, Adam in 3 dispatches per weight gives the stock Adam weights and state', async (t) => {
  const dawn = await loadDawnWebGpu();
  if (!dawn.ok) {
    t.skip(dawn.reason);
    return;
  }
  assert.ok(await tf.setBackend('webgpu'));
  const init = [tf.randomNormal([7, 5], 0, 1, 'float32', 3).arraySync() as number[][], tf.randomNormal([5], 0, 1, 'float32', 4).arraySync() as number[]];
  const grads = [0, 1, 2].map((s) => [tf.randomNormal([7, 5], 0, 1, 'float32', 10 + s).arraySync() as number[][], tf.randomNormal([5], 0, 1, 'float32', 20 + s).arraySync() as number[]]);
  const train = async (fused: boolean) => {
    setWebGpuAdam(fused);
    const w = tf.variable(tf.tensor2d(init[0] as number[][]), true, `w_${fused}`), b = tf.variable(tf.tensor1d(init[1] as number[]), true, `b_${fused}`);
    const opt = tf.train.adam(0.01);
    let dispatches = 0;
    for (const [gw, gb] of grads) {
      const profile = await tf.profile(() => {
        opt.applyGradients([{ name: w.name, tensor: tf.tensor2d(gw as number[][]) }, { name: b.name, tensor: tf.tensor1d(gb as number[]) }]);
      });
      dispatches = profile.kernels.filter((k) => !['Identity', 'Reshape'].includes(k.name)).length;
    }
    const weights = await Promise.all((await opt.getWeights()).map((s) => s.tensor.data()));
    const out = [Array.from(await w.data()), Array.from(await b.data()), ...weights.map((a) => Array.from(a))];
    opt.dispose();
    tf.dispose([w, b]);
    return { out, dispatches };
  };
  try {
    const stock = await train(false);
    const fused = await train(true);
    assert.ok(fused.dispatches < stock.dispatches / 2, `dispatches per step: ${fused.dispatches} fused, ${stock.dispatches} stock`);
    assert.equal(fused.out.length, stock.out.length);
    for (let i = 0; i < stock.out.length; i++) {
      for (let j = 0; j < stock.out[i]!.length; j++) assert.ok(Math.abs(fused.out[i]![j]! - stock.out[i]![j]!) <= 1e-6 * Math.max(1, Math.abs(stock.out[i]![j]!)), `array ${i}[${j}]: ${fused.out[i]![j]} vs ${stock.out[i]![j]}`);
    }
  } finally {
    setWebGpuAdam(true);
  }
});

test('where Dawn finds an adapter, the im2col filter gradient matches the CPU: strides, paddings, 1×1 to 5×5, image groups', async (t) => {
  const dawn = await loadDawnWebGpu();
  if (!dawn.ok) {
    t.skip(dawn.reason);
    return;
  }
  type Case = { x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: 'same' | 'valid' | number; budget?: number };
  const cases: Case[] = [
    { x: [3, 9, 9, 3], f: [3, 3, 3, 5], s: 1, pad: 'same' },
    { x: [2, 11, 10, 4], f: [3, 3, 4, 6], s: 2, pad: 'same' },
    { x: [2, 12, 12, 2], f: [5, 5, 2, 3], s: 1, pad: 'valid' },
    { x: [2, 7, 8, 5], f: [1, 1, 5, 4], s: 1, pad: 'valid' },
    { x: [4, 8, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 1 },
    // Groups of 2 and 1 images (cols over the budget), and a single image over it (TF.js's kernel).
    { x: [5, 8, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same', budget: 2 * 64 * 27 },
    { x: [3, 8, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same', budget: 64 * 27 },
    { x: [2, 8, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same', budget: 100 },
    // One output pixel, 20 filters: each image's product (72×20) outweighs its cols (1×72); groups of 2.
    { x: [5, 3, 3, 8], f: [3, 3, 8, 20], s: 1, pad: 'valid', budget: 2 * 72 * 20 },
  ];
  try {
    for (const [i, c] of cases.entries()) {
      setColsBudget(c.budget ?? 1 << 25);
      const grad = async (backend: string) => {
        assert.ok(await tf.setBackend(backend));
        const ci = tf.backend_util.computeConv2DInfo(c.x, c.f, [c.s, c.s], 1, c.pad);
        const x = tf.randomUniform(c.x, -1, 1, 'float32', 40 + i), dy = tf.randomUniform(ci.outShape, -1, 1, 'float32', 60 + i);
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [c.s, c.s], pad: c.pad, dataFormat: 'NHWC', filterShape: c.f }) as tf.Tensor;
        const out = Array.from(await dw.data());
        assert.deepEqual(dw.shape, c.f);
        tf.dispose([x, dy, dw]);
        return out;
      };
      assert.ok(await tf.setBackend('webgpu'));
      const before = tf.memory() as tf.MemoryInfo & { numDataBuffers: number };
      const gpu = await grad('webgpu');
      const after = tf.memory() as tf.MemoryInfo & { numDataBuffers: number };
      assert.equal(after.numTensors, before.numTensors, `case ${i}: tensors left behind`);
      assert.equal(after.numDataBuffers, before.numDataBuffers, `case ${i}: GPU buffers left behind`);
      const cpu = await grad('cpu');
      for (let j = 0; j < cpu.length; j++) assert.ok(Math.abs(gpu[j]! - cpu[j]!) <= 1e-4 * Math.max(1, Math.abs(cpu[j]!)), `case ${i}, weight ${j}: ${gpu[j]} vs ${cpu[j]}`);
    }
  } finally {
    setColsBudget(1 << 25);
  }
});
