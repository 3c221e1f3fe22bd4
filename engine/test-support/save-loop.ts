// A child process for the kill test (engine/model-io.kill.test.ts): saves two different models
// into one folder over and over, the way `glasswing train --out` saves (model.json, weights.bin and
// metrics.json as one folder), until it is killed. It prints "ready" once saving has begun.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import { saveModel, type GlasswingMetadata } from '../model-io';
import { getTemplate } from '../../common/model/templates';

async function main(): Promise<void> {
  const dir = process.argv[2]!;
  await tf.setBackend('cpu');
  const models = await Promise.all(
    [1, 2].map(async (seed) => {
      const m = await tfl.models.modelFromJSON({ modelTopology: getTemplate('mnist-mlp') as never });
      // Distinguishable weights: every weight of model k is k.
      m.setWeights(m.getWeights().map((w) => tf.fill(w.shape, seed)));
      return m;
    }),
  );
  const metadata: GlasswingMetadata = { formatVersion: 1, task: 'classification', classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputShape: [784], preprocessing: { kind: 'table', featureNames: [], mean: [], std: [] } };
  let ready = false;
  for (let i = 0; ; i++) {
    const k = i % 2;
    await saveModel(models[k]!, dir, metadata, { 'metrics.json': JSON.stringify({ model: k + 1 }) });
    if (!ready) {
      process.stdout.write('ready\n');
      ready = true;
    }
  }
}

void main();
