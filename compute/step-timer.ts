// Times training steps (and inference) of one model on the active backend with random data: what
// `auto` compares between backends for the model at hand, and what the device panel's benchmark
// shows. The first step is reported apart: on a GPU it compiles shaders and allocates, once.
import * as tf from '@tensorflow/tfjs-core';
import { compileModel, disposeModel } from './model-builder';
import { jobModel } from './remote-job';
import type { StepTimerRequest } from './protocol';

export interface StepTiming {
  firstStepMs: number;
  /** Median of the timed steps after the first. */
  trainMsPerStep: number;
  inferMsPerStep: number;
}


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function timeSteps(r: StepTimerRequest): Promise<StepTiming> {
  const model = await jobModel(r.topology, null);
  compileModel(model, r.task, 'adam', 1e-3);
  const x = tf.randomUniform([r.batchSize, ...r.inputShape]);
  const y = r.task === 'classification' ? tf.oneHot(tf.randomUniform([r.batchSize], 0, r.classes, 'int32'), r.classes) : tf.randomUniform([r.batchSize, 1]);
  try {
    let t0 = performance.now();
    await model.trainOnBatch(x, y);
    const firstStepMs = performance.now() - t0;
    const train: number[] = [];
    const start = performance.now();
    while (train.length < 3 || (train.length < 20 && performance.now() - start < r.budgetMs)) {
      t0 = performance.now();
      await model.trainOnBatch(x, y); // resolves once the loss is read back: the step is done
      train.push(performance.now() - t0);
      if (train.length >= 3 && performance.now() - start > r.budgetMs * 2) break;
    }
    const infer: number[] = [];
    for (let i = 0; i < 3; i++) {
      t0 = performance.now();
      const p = model.predict(x) as tf.Tensor;
      await p.data();
      p.dispose();
      infer.push(performance.now() - t0);
    }
    return { firstStepMs, trainMsPerStep: median(train), inferMsPerStep: median(infer) };
  } finally {
    tf.dispose([x, y]);
    disposeModel(model);
  }
}
