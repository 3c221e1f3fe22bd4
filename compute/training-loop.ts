// The training loop: seeded shuffles, batch-by-batch steps, validation per epoch, and
// pause/resume/stop between batches. Events are plain objects; batch events are throttled so
// that a fast model does not flood the UI.
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord, EvaluationMetrics, TrainingEvent } from '../common/ipc/contract';
import { exampleInputs, gatherInputs, type Examples } from './examples';
import type { Task } from './examples';
import { seededRandom, shuffleInPlace } from './random';
import { classificationMetrics } from './metrics';
import { Callbacks, getLearningRate, setLearningRate, type CallbackSettings } from './callbacks';
import { augmentBatch, hasAugmentation, type AugmentOptions } from './augment';
import { BadInputError } from '../common/bad-input';

/**
 * Yields to the event loop so that queued control messages (pause, stop) run between batches:
 * setImmediate in Node; in a worker (no setImmediate) a MessageChannel task, which unlike
 * setTimeout(0) is not clamped to 4 ms.
 */
const setImmediateFn = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
const nextTask: () => Promise<void> = setImmediateFn
  ? () => new Promise<void>((resolve) => void setImmediateFn(resolve))
  : (() => {
      const channel = new MessageChannel();
      const waiting: (() => void)[] = [];
      channel.port1.onmessage = () => waiting.shift()?.();
      return () =>
        new Promise<void>((resolve) => {
          waiting.push(resolve);
          channel.port2.postMessage(0);
        });
    })();

export interface TrainOptions {
  runId: string;
  epochs: number;
  batchSize: number;
  seed: number;
  task: Task;
  classes: string[];
  inputShape: number[];
  /** Minimum milliseconds between two batch events. */
  batchEventIntervalMs?: number;
  callbacks?: CallbackSettings;
  /** Image augmentation applied on the fly to every training batch (never to validation or test). */
  augment?: AugmentOptions;
  onEvent: (event: TrainingEvent) => void;
}

export interface TrainResult {
  history: EpochRecord[];
  stopped: boolean;
  /** Why the run ended before its last epoch (a person, or early stopping). */
  stopReason?: string;
  /** The epoch whose weights the model ends with, when the best ones were restored. */
  restoredEpoch?: number;
}

export class TrainingFailure extends BadInputError {}

/** What the training service holds of a run in progress, wherever its loop runs (engine or worker). */
export interface RunControl {
  pause(): void;
  resume(): void;
  stop(): void;
  readonly isPaused: boolean;
  /** The epochs completed so far (also when the run fails part-way). */
  readonly history: EpochRecord[];
  run(): Promise<TrainResult>;
}

/** Builds (x, y) tensors for the rows `rows` of `data`: y one-hot for classification. */
export function batchTensors(
  data: Examples,
  rows: ArrayLike<number>,
  inputShape: number[],
  task: Task,
  numClasses: number,
  augment?: { options: AugmentOptions; random: () => number },
): { x: tf.Tensor; y: tf.Tensor } {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const n = rows.length;
  let xs = gatherInputs(data, rows, size);
  if (augment && inputShape.length === 3) xs = augmentBatch(xs, [n, ...inputShape], augment.options, augment.random);
  const x = tf.tensor(xs, [n, ...inputShape]);
  let y: tf.Tensor;
  if (task === 'classification') {
    const ys = new Float32Array(n * numClasses);
    for (let i = 0; i < n; i++) ys[i * numClasses + data.y[rows[i]!]!] = 1;
    y = tf.tensor2d(ys, [n, numClasses]);
  } else {
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) ys[i] = data.y[rows[i]!]!;
    y = tf.tensor2d(ys, [n, 1]);
  }
  return { x, y };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Loss and accuracy over a whole split, in batches, without touching the weights. Values are read
 * back asynchronously: on a GPU backend a synchronous read stalls the device.
 */
export async function evaluateLoss(model: tfl.LayersModel, data: Examples, options: Pick<TrainOptions, 'inputShape' | 'task' | 'classes'>): Promise<{ loss: number; accuracy: number | null }> {
  if (data.count === 0) return { loss: NaN, accuracy: null };
  let lossSum = 0;
  let accSum = 0;
  const step = 512;
  for (let start = 0; start < data.count; start += step) {
    const rows = range(Math.min(step, data.count - start)).map((i) => start + i);
    const { x, y } = batchTensors(data, rows, options.inputShape, options.task, options.classes.length);
    const out = model.evaluate(x, y, { batchSize: step }) as tf.Scalar | tf.Scalar[];
    const scalars = Array.isArray(out) ? out : [out];
    try {
      lossSum += (await scalars[0]!.data())[0]! * rows.length;
      if (scalars[1]) accSum += (await scalars[1].data())[0]! * rows.length;
    } finally {
      tf.dispose([x, y, ...scalars]);
    }
  }
  return { loss: lossSum / data.count, accuracy: options.task === 'classification' ? accSum / data.count : null };
}

/** Predicted class per example (argmax), or the regression output. */
export async function predictAll(model: tfl.LayersModel, data: Examples, inputShape: number[]): Promise<Float32Array> {
  const out = new Float32Array(data.count);
  const step = 512;
  const size = inputShape.reduce((a, b) => a * b, 1);
  for (let start = 0; start < data.count; start += step) {
    const n = Math.min(step, data.count - start);
    const answer = tf.tidy(() => {
      const x = tf.tensor(exampleInputs(data, start, n, size), [n, ...inputShape]);
      const p = model.predict(x) as tf.Tensor;
      return p.shape[1] === 1 ? tf.reshape(p, [n]) : tf.argMax(p, -1);
    });
    try {
      out.set(await answer.data(), start);
    } finally {
      answer.dispose();
    }
  }
  return out;
}

export async function evaluateClassifier(model: tfl.LayersModel, data: Examples, inputShape: number[], classes: string[]): Promise<EvaluationMetrics> {
  return classificationMetrics(Array.from(data.y), Array.from(await predictAll(model, data, inputShape)), classes);
}

export class TrainingRun implements RunControl {
  private paused = false;
  private stopRequested = false;
  /** The epochs completed so far (also when the run fails part-way). */
  readonly history: EpochRecord[] = [];
  private wake: (() => void) | null = null;

  constructor(
    private readonly model: tfl.LayersModel,
    private readonly train: Examples,
    private readonly validation: Examples,
    private readonly options: TrainOptions,
  ) {}

  pause(): void {
    if (!this.paused && !this.stopRequested) {
      this.paused = true;
      this.options.onEvent({ type: 'paused', runId: this.options.runId });
    }
  }

  resume(): void {
    if (this.paused) {
      this.paused = false;
      this.options.onEvent({ type: 'resumed', runId: this.options.runId });
      this.wake?.();
    }
  }

  stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Lets control messages in between batches, and holds here while paused. */
  private async checkpoint(): Promise<void> {
    await nextTask();
    while (this.paused && !this.stopRequested) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  async run(): Promise<TrainResult> {
    const callbacks = new Callbacks(this.options.callbacks ?? {}, this.model);
    try {
      const result = await this.loop(callbacks);
      // Stopped, early-stopped or finished: end with the best weights when those were asked for.
      const restored = callbacks.restoreBest();
      return restored !== null ? { ...result, restoredEpoch: restored } : result;
    } catch (e) {
      if (e instanceof TrainingFailure) {
        const kept = callbacks.restoreLastGood();
        if (kept !== null) throw new TrainingFailure(`${e.message} The weights from epoch ${kept}, the last good one, were kept.`);
      }
      throw e;
    } finally {
      callbacks.dispose();
    }
  }

  private async loop(callbacks: Callbacks): Promise<TrainResult> {
    const { runId, epochs, batchSize, task, classes, inputShape } = this.options;
    const interval = this.options.batchEventIntervalMs ?? 100;
    const random = seededRandom(this.options.seed);
    const augment = this.options.augment && hasAugmentation(this.options.augment) ? { options: this.options.augment, random: seededRandom(this.options.seed ^ 0xa06) } : undefined;
    const order = range(this.train.count);
    const batchesPerEpoch = Math.ceil(this.train.count / batchSize);
    const history = this.history;
    let lastBatchEvent = 0;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      shuffleInPlace(order, random);
      const started = performance.now();
      let trainMs = 0;
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        await this.checkpoint();
        if (this.stopRequested) return { history, stopped: true, stopReason: 'stopped by you' };
        const t0 = performance.now();
        const rows = order.slice(b * batchSize, Math.min((b + 1) * batchSize, order.length));
        const { x, y } = batchTensors(this.train, rows, inputShape, task, classes.length, augment);
        let out: number | number[];
        try {
          out = await this.model.trainOnBatch(x, y);
        } finally {
          tf.dispose([x, y]);
        }
        trainMs += performance.now() - t0;
        const [loss, accuracy] = Array.isArray(out) ? out : [out, NaN];
        if (!Number.isFinite(loss)) {
          throw new TrainingFailure(
            `The loss became ${loss} at epoch ${epoch}, batch ${b + 1}. The learning rate is probably too high, or the inputs are not scaled; try a learning rate 10 times smaller.`,
          );
        }
        lossSum += loss! * rows.length;
        accSum += (accuracy ?? 0) * rows.length;
        seen += rows.length;
        const now = performance.now();
        if (now - lastBatchEvent >= interval || b === batchesPerEpoch - 1) {
          lastBatchEvent = now;
          this.options.onEvent({
            type: 'batch',
            runId,
            epoch,
            batch: b + 1,
            batchesPerEpoch,
            loss: loss!,
            accuracy: accuracy ?? NaN,
            samplesPerSec: seen / (trainMs / 1000),
          });
        }
      }
      const val = this.validation.count > 0 ? await evaluateLoss(this.model, this.validation, this.options) : null;
      const learningRate = getLearningRate(this.model.optimizer);
      const record: EpochRecord = {
        learningRate,
        epoch,
        loss: lossSum / seen,
        accuracy: task === 'classification' ? accSum / seen : NaN,
        valLoss: val ? val.loss : null,
        valAccuracy: val ? val.accuracy : null,
        samplesPerSec: seen / (trainMs / 1000),
        seconds: (performance.now() - started) / 1000,
      };
      history.push(record);
      this.options.onEvent({ type: 'epoch', runId, ...record });
      const decision = callbacks.onEpochEnd(record, learningRate);
      if (decision.learningRate !== undefined) setLearningRate(this.model.optimizer, decision.learningRate);
      if (decision.stop && epoch < epochs) return { history, stopped: true, stopReason: decision.reason };
    }
    return { history, stopped: false };
  }
}
