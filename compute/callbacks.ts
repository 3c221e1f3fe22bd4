// Training callbacks as Keras has them: early stopping, reduce-LR-on-plateau and a best-weights
// checkpoint, plus the last-good-weights snapshot that lets a NaN loss lose nothing.
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord } from '../common/ipc/contract';

export type Monitor = 'valLoss' | 'valAccuracy' | 'loss' | 'accuracy';

export interface CallbackSettings {
  earlyStopping?: { monitor: Monitor; patience: number; restoreBestWeights: boolean; minDelta?: number };
  reduceLrOnPlateau?: { monitor: Monitor; factor: number; patience: number; minLr: number };
  /** Keep the best epoch's weights (by this monitor) and end the run with them. */
  keepBest?: { monitor: Monitor };
}

/** A copy of a model's weights that survives later training steps. */
export class WeightSnapshot {
  private constructor(
    readonly epoch: number,
    private readonly tensors: tf.Tensor[],
  ) {}

  static take(model: tfl.LayersModel, epoch: number): WeightSnapshot {
    return new WeightSnapshot(epoch, tf.tidy(() => model.getWeights().map((w) => tf.clone(w))).map((t) => tf.keep(t)));
  }

  restore(model: tfl.LayersModel): void {
    model.setWeights(this.tensors);
  }

  dispose(): void {
    tf.dispose(this.tensors);
  }
}

function valueOf(record: EpochRecord, monitor: Monitor): number | null {
  const v = record[monitor];
  return v === null || v === undefined || Number.isNaN(v) ? null : v;
}

const lowerIsBetter = (m: Monitor) => m === 'loss' || m === 'valLoss';

/** Tracks the best value of one monitor and how many epochs since it improved. */
class Plateau {
  best: number | null = null;
  bestEpoch = 0;
  wait = 0;
  constructor(
    readonly monitor: Monitor,
    private readonly minDelta = 0,
  ) {}

  /** True when this epoch improved on the best so far. */
  update(record: EpochRecord): boolean {
    const v = valueOf(record, this.monitor) ?? valueOf(record, this.monitor === 'valLoss' ? 'loss' : 'accuracy');
    if (v === null) return false;
    const better = this.best === null || (lowerIsBetter(this.monitor) ? v < this.best - this.minDelta : v > this.best + this.minDelta);
    if (better) {
      this.best = v;
      this.bestEpoch = record.epoch;
      this.wait = 0;
    } else this.wait++;
    return better;
  }
}

export interface EpochDecision {
  stop: boolean;
  reason?: string;
  /** New learning rate, when reduce-LR-on-plateau lowered it. */
  learningRate?: number;
}

export class Callbacks {
  private readonly early: Plateau | null;
  private readonly reduce: Plateau | null;
  private readonly bestTracker: Plateau | null;
  private best: WeightSnapshot | null = null;
  private lastGood: WeightSnapshot | null = null;

  constructor(
    private readonly settings: CallbackSettings,
    private readonly model: tfl.LayersModel,
  ) {
    this.early = settings.earlyStopping ? new Plateau(settings.earlyStopping.monitor, settings.earlyStopping.minDelta) : null;
    this.reduce = settings.reduceLrOnPlateau ? new Plateau(settings.reduceLrOnPlateau.monitor) : null;
    const keepMonitor = settings.keepBest?.monitor ?? (settings.earlyStopping?.restoreBestWeights ? settings.earlyStopping.monitor : null);
    this.bestTracker = keepMonitor ? new Plateau(keepMonitor) : null;
  }

  get bestEpoch(): number | null {
    return this.best?.epoch ?? null;
  }

  get lastGoodEpoch(): number | null {
    return this.lastGood?.epoch ?? null;
  }

  /** Called after each epoch with its record and the learning rate in use. */
  onEpochEnd(record: EpochRecord, learningRate: number): EpochDecision {
    this.lastGood?.dispose();
    this.lastGood = WeightSnapshot.take(this.model, record.epoch);
    if (this.bestTracker?.update(record)) {
      this.best?.dispose();
      this.best = WeightSnapshot.take(this.model, record.epoch);
    }
    const decision: EpochDecision = { stop: false };
    if (this.reduce) {
      this.reduce.update(record);
      const r = this.settings.reduceLrOnPlateau!;
      if (this.reduce.wait >= r.patience && learningRate > r.minLr) {
        decision.learningRate = Math.max(r.minLr, learningRate * r.factor);
        this.reduce.wait = 0;
      }
    }
    if (this.early) {
      this.early.update(record);
      if (this.early.wait >= this.settings.earlyStopping!.patience) {
        decision.stop = true;
        decision.reason = `early stopping: ${this.early.monitor} has not improved for ${this.early.wait} epochs (best ${this.early.best?.toFixed(4)} at epoch ${this.early.bestEpoch})`;
      }
    }
    return decision;
  }

  /** At the end of a run (finished, stopped or early-stopped): the best weights, when asked for. */
  restoreBest(): number | null {
    if (!this.best) return null;
    this.best.restore(this.model);
    return this.best.epoch;
  }

  /** After a NaN loss: back to the last epoch that ended well. */
  restoreLastGood(): number | null {
    if (!this.lastGood) return null;
    this.lastGood.restore(this.model);
    return this.lastGood.epoch;
  }

  dispose(): void {
    this.best?.dispose();
    this.lastGood?.dispose();
    this.best = this.lastGood = null;
  }
}

/** Sets a TF.js optimizer's learning rate in place (SGD keeps it as a tensor, the others as a number). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}
