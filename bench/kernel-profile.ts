// Per-kernel profile of one training (or inference) step per shape class and backend: which TF.js
// kernels run, how often, and their milliseconds per call and per step (median over profiled steps),
// plus the step's wall time and what the kernels leave unexplained (TF.js per-op and tape overhead).
//   node --import tsx bench/kernel-profile.ts [class…] [--backend cpu|wasm] [--steps N] [--by-shape] [--json FILE] [--compare FILE]
// Classes: lenet (LeNet-5, batch 64, training), lenet-infer (the same, inference), mnist-mlp (784-256-10, batch 64, training), cifar (the CIFAR CNN, batch 32, training),
// residual (residual template 32×32×3, batch 32, training), cnn-5x5-48, cnn-strided-64,
// cnn-valid-48, cnn-5x5s2-64, cnn-strided-48 and cifar-cnn-bn (the bench's extra size-class CNNs, batch 32, training), mobilenet (MobileNetV2 features at
// 224×224, batch 32, inference), mobilenet-train (MobileNetV2 at 96×96, batch 16, every layer
// trainable: the depthwise gradients). --compare FILE prints each kernel's ms/call beside FILE's.
// --by-shape lists each kernel once per input shapes (which layer of the net the time goes to).
import { readFileSync, writeFileSync } from 'node:fs';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../engine/backends';
import { registerFastKernels } from '../engine/kernels';
import { benchModel } from '../engine/bench/models';
import { loadMobileNet } from '../engine/transfer/backbones';
import { median } from '../engine/bench/bench';

interface ShapeClass { id: string; batch: number; train: boolean; build(): Promise<tfl.LayersModel>; inputShape: number[]; classes: number }

const fromBench = (id: string, model: string, train = true): ShapeClass => {
  const s = benchModel(model);
  return { id, batch: s.batchSize, train, build: s.build, inputShape: s.inputShape, classes: s.classes };
};

const CLASSES: ShapeClass[] = [
  fromBench('lenet', 'lenet5'),
  fromBench('lenet-infer', 'lenet5', false),
  fromBench('mnist-mlp', 'mnist-mlp'),
  fromBench('cifar', 'cifar-cnn'),
  fromBench('residual', 'residual-cnn'),
  fromBench('cnn-5x5-48', 'cnn-5x5-48'),
  fromBench('cnn-strided-64', 'cnn-strided-64'),
  fromBench('cifar-cnn-bn', 'cifar-cnn-bn'),
  fromBench('cnn-valid-48', 'cnn-valid-48'),
  fromBench('cnn-5x5s2-64', 'cnn-5x5s2-64'),
  fromBench('cnn-strided-48', 'cnn-strided-48'),
  fromBench('cnn-7x7-64', 'cnn-7x7-64'),
  fromBench('mobilenet', 'mobilenet-v2', false),
  {
    id: 'mobilenet-train', batch: 16, train: true, inputShape: [96, 96, 3], classes: 10,
    build: async () => {
      const b = await loadMobileNet(96);
      const pooled = tfl.layers.globalAveragePooling2d({}).apply(b.model.outputs[0]!) as tfl.SymbolicTensor;
      const out = tfl.layers.dense({ units: 10, activation: 'softmax' }).apply(pooled) as tfl.SymbolicTensor;
      const m = tfl.model({ inputs: b.model.inputs, outputs: out });
      for (const l of m.layers) l.trainable = true;
      return m;
    },
  },
];

export interface KernelRow { kernel: string; calls: number; msPerStep: number; msPerCall: number }
export interface ProfileEntry { cls: string; backend: string; stepMs: number; kernelMs: number; rows: KernelRow[] }

async function profileClass(c: ShapeClass, backend: string, steps: number, byShape = false): Promise<ProfileEntry> {
  await useBackend(backend as 'cpu');
  const m = await c.build();
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([c.batch, ...c.inputShape]);
  const y = c.train ? tf.oneHot(tf.randomUniform([c.batch], 0, c.classes, 'int32'), c.classes) : null;
  const step = async (): Promise<void> => {
    if (y) await m.trainOnBatch(x, y);
    else tf.tidy(() => (m.predict(x, { batchSize: c.batch }) as tf.Tensor).dataSync());
  };
  for (let i = 0; i < 2; i++) await step();
  // Wall time without the profiler (it reads every output back), then kernel times with it.
  const walls: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    walls.push(performance.now() - t0);
  }
  const perKernel = new Map<string, { calls: number; ms: number[] }>();
  const totals: number[] = [];
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(step);
    const byName = new Map<string, { calls: number; ms: number }>();
    let total = 0;
    for (const k of info.kernels) {
      // Op scopes (fusedConv2d__op, …) wrap kernels that are listed themselves.
      if (k.name.endsWith('__op')) continue;
      const ms = k.kernelTimeMs as number;
      const key = byShape ? `${k.name} ${k.inputShapes.map((sh) => `[${sh?.join('×') ?? ''}]`).join(' ')}` : k.name;
      const e = byName.get(key) ?? { calls: 0, ms: 0 };
      e.calls++;
      e.ms += ms;
      total += ms;
      byName.set(key, e);
    }
    totals.push(total);
    for (const [name, e] of byName) {
      const p = perKernel.get(name) ?? { calls: e.calls, ms: [] };
      p.ms.push(e.ms);
      perKernel.set(name, p);
    }
  }
  tf.dispose(y ? [x, y] : [x]);
  m.dispose();
  const rows = [...perKernel].map(([kernel, p]) => {
    const msPerStep = median(p.ms);
    return { kernel, calls: p.calls, msPerStep: r2(msPerStep), msPerCall: r3(msPerStep / p.calls) };
  }).sort((a, b) => b.msPerStep - a.msPerStep);
  return { cls: c.id, backend, stepMs: r2(median(walls)), kernelMs: r2(median(totals)), rows };
}

const r2 = (v: number): number => Math.round(v * 100) / 100;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;

function format(e: ProfileEntry, before?: ProfileEntry): string {
  const lines = [`### ${e.cls} on ${e.backend}: step ${e.stepMs} ms (kernels ${e.kernelMs} ms, other ${r2(e.stepMs - e.kernelMs)} ms)` +
    (before ? `; before: step ${before.stepMs} ms (kernels ${before.kernelMs} ms)` : '')];
  lines.push(before ? '| kernel | calls | ms/call before | ms/call after | ms/step before | ms/step after |' : '| kernel | calls | ms/call | ms/step |');
  lines.push(before ? '|---|---:|---:|---:|---:|---:|' : '|---|---:|---:|---:|');
  const names = new Set([...e.rows.map((r) => r.kernel), ...(before?.rows.map((r) => r.kernel) ?? [])]);
  for (const name of names) {
    const a = e.rows.find((r) => r.kernel === name);
    const b = before?.rows.find((r) => r.kernel === name);
    if ((a?.msPerStep ?? 0) < 0.05 && (b?.msPerStep ?? 0) < 0.05) continue;
    lines.push(before
      ? `| ${name} | ${a?.calls ?? b?.calls} | ${b?.msPerCall ?? '–'} | ${a?.msPerCall ?? '–'} | ${b?.msPerStep ?? '–'} | ${a?.msPerStep ?? '–'} |`
      : `| ${name} | ${a!.calls} | ${a!.msPerCall} | ${a!.msPerStep} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  registerFastKernels();
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const backends = (opt('--backend') ?? 'wasm,cpu').split(',');
  const steps = Number(opt('--steps') ?? 5);
  const jsonOut = opt('--json');
  const compare = opt('--compare');
  const shapeIndex = args.indexOf('--by-shape');
  if (shapeIndex >= 0) args.splice(shapeIndex, 1);
  const before: ProfileEntry[] = compare ? JSON.parse(readFileSync(compare, 'utf8')) as ProfileEntry[] : [];
  const wanted = args.length ? args : CLASSES.map((c) => c.id);
  const unknown = wanted.filter((id) => !CLASSES.some((c) => c.id === id));
  if (unknown.length) {
    // A bench model's id (lenet5) is not always its class's (lenet): say so rather than print nothing.
    console.error(`Unknown class ${unknown.join(', ')}; the classes are ${CLASSES.map((c) => c.id).join(', ')}.`);
    process.exit(2);
  }
  const out: ProfileEntry[] = [];
  for (const backend of backends) {
    for (const c of CLASSES.filter((k) => wanted.includes(k.id))) {
      let e: ProfileEntry;
      try {
        e = await profileClass(c, backend, steps, shapeIndex >= 0);
      } catch (err) {
        process.stdout.write(`### ${c.id} on ${backend}: failed: ${(err as Error).message.split('\n')[0]}\n\n`);
        continue;
      }
      out.push(e);
      process.stdout.write(`${format(e, before.find((b) => b.cls === e.cls && b.backend === e.backend))}\n\n`);
    }
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out, null, 1));
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
