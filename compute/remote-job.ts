// A training run on the compute worker's side: the model the engine built, the data it prepared,
// the same TrainingRun the engine uses, and messages back after every batch (throttled) and epoch.
// Runs on whatever TF.js backend the worker set (webgpu or webgl).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { compileModel, disposeModel } from './model-builder';
import { floatExamples, pixelExamples, type Examples } from './examples';
import { predictAll, TrainingRun } from './training-loop';
import { readWeights, writeWeights } from './weights';
import type { DataWire, FromWorker, SplitWire, TrainJob } from './protocol';

function examplesOf(data: DataWire, split: SplitWire): Examples {
  const rows = Array.from(split.indices);
  if (data.pixels) return pixelExamples(data.pixels.source, data.size, data.pixels.preprocessing, rows, split.y);
  if (!split.x) throw new Error('A split of float data arrived without its inputs.');
  return floatExamples(split.x, split.y, rows);
}

/** Builds the job's model with its starting weights, compiled as the engine compiles it. */
export async function jobModel(topology: unknown, weights: TrainJob['weights'] | null): Promise<tfl.LayersModel> {
  const model = await tfl.models.modelFromJSON({ modelTopology: topology as never });
  if (weights) writeWeights(model, weights);
  return model;
}

export class RemoteJob {
  private run: TrainingRun | null = null;
  private stopBeforeStart = false;
  private pauseAtStart: boolean;
  /** Messages leave in the order they were made, also when one waits for a weight read-back. */
  private outbox: Promise<void> = Promise.resolve();

  constructor(
    readonly job: TrainJob,
    private readonly sendNow: (message: FromWorker) => void,
  ) {
    this.pauseAtStart = !!job.startPaused;
  }

  private send(message: FromWorker | Promise<FromWorker>): void {
    // A read-back that fails (the device was lost) surfaces in training itself; the chain goes on.
    this.outbox = this.outbox.then(async () => this.sendNow(await message)).catch(() => undefined);
  }

  control(action: 'pause' | 'resume' | 'stop'): void {
    if (!this.run) {
      if (action === 'stop') this.stopBeforeStart = true;
      else this.pauseAtStart = action === 'pause';
      return;
    }
    if (action === 'pause') this.run.pause();
    else if (action === 'resume') this.run.resume();
    else this.run.stop();
  }

  /** Trains to the end and reports 'done' or 'failed'; never throws. */
  async execute(): Promise<void> {
    const { job } = this;
    const tensorsBefore = tf.memory().numTensors;
    let model: tfl.LayersModel | null = null;
    try {
      model = await jobModel(job.topology, job.weights);
      compileModel(model, job.task, job.optimizer, job.learningRate);
      const trained = model;
      this.run = new TrainingRun(model, examplesOf(job.data, job.data.train), examplesOf(job.data, job.data.validation), {
        runId: job.runId,
        epochs: job.epochs,
        batchSize: job.batchSize,
        seed: job.seed,
        task: job.task,
        classes: job.classes,
        inputShape: job.inputShape,
        callbacks: job.callbacks,
        ...(job.augment ? { augment: job.augment } : {}),
        onEvent: (event) => {
          if (event.type === 'epoch') {
            // The epoch's weights are cloned now, before the next batch changes them.
            this.send(readWeights(trained).then((weights) => ({ type: 'epoch', event, weights })));
          } else if (event.type === 'batch' || event.type === 'paused' || event.type === 'resumed') {
            this.send({ type: 'event', event });
          }
        },
      });
      if (this.pauseAtStart) this.run.pause();
      if (this.stopBeforeStart) this.run.stop();
      const outcome = await this.run.run();
      await this.outbox;
      const predictions = job.data.test.indices.length > 0 ? await predictAll(model, examplesOf(job.data, job.data.test), job.inputShape) : new Float32Array(0);
      const weights = await readWeights(model);
      disposeModel(model);
      model = null;
      this.send({
        type: 'done',
        runId: job.runId,
        outcome: {
          history: outcome.history,
          stopped: outcome.stopped,
          ...(outcome.stopReason ? { stopReason: outcome.stopReason } : {}),
          ...(outcome.restoredEpoch !== undefined ? { restoredEpoch: outcome.restoredEpoch } : {}),
        },
        weights,
        predictions,
        memory: { tensorsBefore, tensorsAfter: tf.memory().numTensors },
      });
    } catch (e) {
      this.send({ type: 'failed', runId: job.runId, message: (e as Error).message ?? String(e), history: this.run?.history ?? [] });
    } finally {
      if (model) disposeModel(model);
      await this.outbox.catch(() => undefined);
    }
  }
}
