// Localisation: a small CNN trained on 20×20 images whose class is the shape of one small bright
// object (a horizontal or a vertical bar, 5 pixels long) at a random position on noise.
// (With a filled square vs a cross, the cross is recognised by the ABSENCE of square features and
// its Grad-CAM peaks off the object half the time; a fact about Grad-CAM, not a bug: ReLU keeps
// only positive evidence.) Grad-CAM's maximum, upsampled
// to the input, must fall inside the object's box (1-pixel margin) on at least 90% of test images.
// The trained model also feeds the randomisation sanity check. Deterministic: seeded data,
// seeded initialisers, no shuffling.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { seededRandom } from '../../compute/random';
import { computeCam, CAM_METHODS } from './cam/registry';
import { upsampleCam } from './render';
import { argmax } from './cam/base-cam';
import { modelRandomisationTest } from './model-randomisation';

const S = 20;
const OBJ = 5;

before(async () => {
  await useBackend('cpu');
});

function makeData(count: number, seed: number) {
  const random = seededRandom(seed);
  const x = new Float32Array(count * S * S);
  const y = new Int32Array(count);
  const boxes: { y0: number; x0: number }[] = [];
  for (let i = 0; i < count; i++) {
    const img = x.subarray(i * S * S, (i + 1) * S * S);
    for (let p = 0; p < S * S; p++) img[p] = random() * 0.3;
    const cls = i % 2;
    const y0 = Math.floor(random() * (S - OBJ + 1));
    const x0 = Math.floor(random() * (S - OBJ + 1));
    for (let r = 0; r < OBJ; r++) {
      for (let c = 0; c < OBJ; c++) {
        const on = cls === 0 ? r === 2 : c === 2; // horizontal : vertical bar
        if (on) img[(y0 + r) * S + x0 + c] = 0.8 + random() * 0.2;
      }
    }
    y[i] = cls;
    boxes.push({ y0, x0 });
  }
  return { x, y, boxes, count };
}

function buildModel(): tfl.LayersModel {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: s });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [S, S, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1', kernelInitializer: init(1) }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2', kernelInitializer: init(2) }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

let trained: { model: tfl.LayersModel; test: ReturnType<typeof makeData> } | null = null;

async function train() {
  if (trained) return trained;
  const data = makeData(400, 1);
  const model = buildModel();
  const xs = tf.tensor(data.x, [data.count, S, S, 1]);
  const ys = tf.oneHot(tf.tensor1d(data.y, 'int32'), 2);
  await model.fit(xs, ys, { epochs: 8, batchSize: 32, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys]);
  trained = { model, test: makeData(100, 2) };
  return trained;
}

test('Grad-CAM finds the object that decides the class', async () => {
  const t0 = Date.now();
  const { model, test: data } = await train();
  const trainMs = Date.now() - t0;
  let correct = 0;
  const hits: Record<string, number> = {};
  for (const method of ['gradcam', 'gradcampp']) {
    hits[method] = 0;
    for (let i = 0; i < data.count; i++) {
      const input = data.x.subarray(i * S * S, (i + 1) * S * S);
      const r = computeCam({ model, input, method });
      if (method === 'gradcam' && r.classIndex === data.y[i]) correct++;
      const up = upsampleCam(r.cam, r.shape, S, S);
      const peak = argmax(up);
      const py = Math.floor(peak / S);
      const px = peak % S;
      const { y0, x0 } = data.boxes[i]!;
      if (py >= y0 - 1 && py <= y0 + OBJ && px >= x0 - 1 && px <= x0 + OBJ) hits[method]!++;
      // The bar itself (not its 5×5 box), 1-pixel margin: reported, not asserted.
      const [by, bx] = data.y[i] === 0 ? [y0 + 2, -1] : [-1, x0 + 2];
      const onBar = (by < 0 || Math.abs(py - by) <= 1) && (bx < 0 || Math.abs(px - bx) <= 1) && py >= y0 - 1 && py <= y0 + OBJ && px >= x0 - 1 && px <= x0 + OBJ;
      if (onBar) hits[`${method}-bar`] = (hits[`${method}-bar`] ?? 0) + 1;
    }
  }
  const accuracy = correct / data.count;
  const rate = (k: string) => (hits[k] ?? 0) / data.count;
  console.log(
    `# localisation: test accuracy ${accuracy}; peak in the object's box ±1 px: Grad-CAM ${rate('gradcam')}, Grad-CAM++ ${rate('gradcampp')}; ` +
      `on the bar itself ±1 px: ${rate('gradcam-bar')}, ${rate('gradcampp-bar')} (training ${trainMs} ms)`,
  );
  assert.ok(accuracy >= 0.9, `test accuracy ${accuracy}`);
  assert.ok(hits['gradcam']! / data.count >= 0.9, `Grad-CAM hit rate ${hits['gradcam']! / data.count}`);
});

test('sanity check: randomising the layers after the target changes the maps', async () => {
  const { model, test: data } = await train();
  const lines: string[] = [];
  for (const method of Object.keys(CAM_METHODS)) {
    const sp: number[] = [];
    const ss: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await modelRandomisationTest({ model, input: data.x.subarray(i * S * S, (i + 1) * S * S), method, seed: i + 1 });
      sp.push(r.final.spearman);
      ss.push(r.final.ssim);
      assert.deepEqual(r.steps.map((s) => s.layer), ['out'], 'only the dense head follows conv2');
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    lines.push(`${method}: Spearman ${mean(sp).toFixed(2)}, SSIM ${mean(ss).toFixed(2)}`);
    if (method === 'gradcam') assert.ok(mean(sp) < 0.9, `Grad-CAM depends on the learnt head (mean Spearman ${mean(sp)})`);
  }
  console.log(`# randomisation (10 images, head re-initialised): ${lines.join('; ')}`);
});
