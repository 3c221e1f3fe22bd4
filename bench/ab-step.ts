// In-process A/B of one kernel setting on whole training steps: the setting is switched on and off
// step by step in one process, so that this machine's drift (20-30% between runs) hits both sides
// alike; prints the median step time of each side per model.
//   node --import tsx bench/ab-step.ts --toggle fused-conv|winograd6|winograd7|winograd8|winograd8-dw|winograd-s2|s2-tile3|space-to-depth|winograd|small-c|small-c-mid|input-grad-products|in-place|glasswing-conv|memory-bound-threads|relu-grad-bias|point-split-dw|channel-pad|large-u-blocks [--backend wasm|cpu] [--steps N] [--infer] model…
// --infer times inference (predict on the batch) instead of training steps.
// Models: the bench's (lenet5, cifar-cnn, residual-cnn, cnn-5x5-48, cnn-strided-64, cnn-valid-48, cnn-5x5s2-64, cnn-strided-48, …).
import { tf, useBackend } from '../engine/backends';
import { registerFastKernels } from '../engine/kernels';
import { patchConv2DLayer, setReluGradBias } from '../engine/kernels/conv-layer';
import { setInputGradProductRule, setPointSplitFilterGrad, setS2Tile3, setSpaceToDepth, setWasmConvChoice, setWinograd, setWinograd6, setWinograd7, setWinograd8, setWinograd8FilterGrad, setWinogradS2, setChannelPad, setLargeUBlocks } from '../engine/kernels/conv';
import { setSmallC, setSmallCMid } from '../engine/kernels/conv-small-c';
import { simd } from '../engine/kernels/simd/runtime';
import { setMemoryBoundThreads } from '../engine/kernels/wasm-heap';
import { benchModel } from '../engine/bench/models';
import { median } from '../engine/bench/bench';

const TOGGLES: Record<string, (on: boolean) => void> = { 'space-to-depth': setSpaceToDepth, 'winograd-s2': setWinogradS2, 's2-tile3': setS2Tile3, 'fused-conv': patchConv2DLayer, winograd6: setWinograd6, winograd7: setWinograd7, winograd8: setWinograd8, 'winograd8-dw': setWinograd8FilterGrad, winograd: setWinograd, 'small-c': setSmallC, 'small-c-mid': setSmallCMid, 'input-grad-products': setInputGradProductRule, 'in-place': (on) => { simd().inPlace = on; }, 'glasswing-conv': (on) => setWasmConvChoice(on ? 'glasswing' : 'auto'), 'memory-bound-threads': setMemoryBoundThreads, 'relu-grad-bias': setReluGradBias, 'point-split-dw': setPointSplitFilterGrad, 'channel-pad': setChannelPad, 'large-u-blocks': setLargeUBlocks };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1]! : fallback;
  };
  const toggleName = opt('--toggle', 'fused-conv');
  const toggle = TOGGLES[toggleName];
  if (!toggle) throw new Error(`--toggle: one of ${Object.keys(TOGGLES).join(', ')}`);
  const backend = opt('--backend', 'wasm');
  const steps = Number(opt('--steps', '40'));
  const inferIndex = args.indexOf('--infer');
  const infer = inferIndex >= 0;
  if (infer) args.splice(inferIndex, 1);
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  registerFastKernels();
  await useBackend(backend as 'wasm');
  for (const id of args) {
    const s = benchModel(id);
    const m = await s.build();
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([s.batchSize, ...s.inputShape]);
    // Feature extractors (no classes) are timed on inference only.
    const y = infer ? null : tf.oneHot(tf.randomUniform([s.batchSize], 0, s.classes, 'int32'), s.classes);
    const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let i = 0; i < steps + 4; i++) {
      for (const side of ['on', 'off'] as const) {
        toggle(side === 'on');
        const t0 = performance.now();
        if (infer) tf.tidy(() => (m.predict(x, { batchSize: s.batchSize }) as tf.Tensor).dataSync());
        else await m.trainOnBatch(x, y!);
        if (i >= 4) times[side].push(performance.now() - t0);
      }
    }
    toggle(true);
    tf.dispose(y ? [x, y] : [x]);
    m.dispose();
    const on = median(times.on), off = median(times.off);
    process.stdout.write(`${id} on ${backend}: ${toggleName} on ${on.toFixed(2)} ms, off ${off.toFixed(2)} ms per ${infer ? 'inference batch' : 'step'} (${((off / on - 1) * 100).toFixed(1)}% faster on)\n`);
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
