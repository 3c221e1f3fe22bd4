// A training run as the engine holds it: its one description (RunInfo: name, data set, model,
// settings, state), and while it is in memory its model, its data and its training loop.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EvaluationMetrics, EpochRecord, RegressionMetrics, RunInfo, RunState, TrainingSettings } from '../../common/ipc/contract';
import type { ModelTopology } from '../../common/model/keras-format';
import { NotFoundError } from '../../common/bad-input';
import type { ActiveBackend } from '../backends';
import type { Dataset } from '../datasets/dataset';
import type { PreparedData } from '../datasets/prepare';
import type { GlasswingMetadata } from '../model-io';
import type { RunControl } from '../../compute/training-loop';
import type { ReadingOptions } from './data-cache';

/** What is stored beside a run's model (runs/<id>/run.json): enough to list it and to reload it. */
export interface RunFile {
  format: 'glasswing-run';
  version: 1;
  /** The engine session (host start) the run belongs to. */
  session: string;
  info: RunInfo;
  topology: ModelTopology;
  reading: ReadingOptions;
  split: { validation: number; test: number; seed: number };
  history: EpochRecord[];
  test: EvaluationMetrics | null;
  regression: RegressionMetrics | null;
  stopReason?: string;
  restoredEpoch?: number;
  /** Whether a model was saved with it (a run that failed before its first epoch has none). */
  hasModel: boolean;
}

export class RunRecord {
  info: RunInfo;
  state: RunState;
  run: RunControl | null = null;
  history: EpochRecord[] = [];
  test: EvaluationMetrics | null = null;
  regression: RegressionMetrics | null = null;
  stopReason?: string;
  restoredEpoch?: number;
  /** Runs ahead of this one when it was queued (0: it started at once). */
  queuePosition = 0;
  backend: ActiveBackend;
  /** Settles when the run has finished, failed or was cancelled. */
  readonly done: Promise<void>;
  /** Settles when the run has a model: training started, or it ended without starting. */
  readonly started: Promise<void>;
  private settle!: () => void;
  private settleStart!: () => void;
  private trained: tfl.LayersModel | null = null;
  /** Why the data could not be read again when the run was reloaded (the file moved, say). */
  dataError: string | null = null;
  /** Gives the run's hold on its data back (set by whoever leased it). */
  release: () => void = () => undefined;

  constructor(
    info: RunInfo,
    readonly metadata: GlasswingMetadata,
    readonly topology: ModelTopology,
    readonly settings: TrainingSettings,
    readonly reading: ReadingOptions,
    readonly split: { validation: number; test: number; seed: number },
    public dataset: Dataset,
    public prepared: PreparedData,
  ) {
    this.info = info;
    this.state = info.state;
    this.backend = { name: 'cpu', device: '', reason: '' };
    this.done = new Promise<void>((resolve) => (this.settle = resolve));
    this.started = new Promise<void>((resolve) => (this.settleStart = resolve));
    if (this.state !== 'queued') this.settleStart();
  }

  get runId(): string {
    return this.info.runId;
  }

  get hasModel(): boolean {
    return this.trained !== null;
  }

  /** The trained (or training) model. A queued run has none yet. */
  get model(): tfl.LayersModel {
    if (!this.trained) throw new NotFoundError(`${this.info.name} has not started training yet; it has no model to use.`);
    return this.trained;
  }

  set model(model: tfl.LayersModel) {
    this.trained = model;
  }

  /** Training begins with this model. */
  begin(model: tfl.LayersModel, backend: ActiveBackend): void {
    this.trained = model;
    this.backend = backend;
    this.state = 'training';
    this.info = { ...this.info, state: 'training', backend: backend.name };
    this.settleStart();
  }

  /** Marks the run as ended (finished, failed or cancelled); `close()` then wakes whoever waits on `done`. */
  end(state: 'finished' | 'failed', message: string | null = null): void {
    this.state = state;
    this.info = { ...this.info, state, message, epochs: this.history.length };
    // A run that failed before its first epoch learned nothing: its untrained model (possibly the
    // very size that failed) is neither kept in memory nor written to disk.
    if (state === 'failed' && this.history.length === 0 && this.trained) {
      const model = this.trained;
      this.trained = null;
      try {
        model.dispose();
      } catch {
        /* already disposed by the training loop's own clean-up */
      }
    }
  }

  /** Wakes whoever waits for the run to start or end (after it was stored and announced). */
  close(): void {
    this.settleStart();
    this.settle();
  }

  /** Frees the model's tensors and the run's hold on its data (the run stays listed, on disk). */
  unload(): void {
    this.trained?.dispose();
    this.trained = null;
    this.release();
    this.release = () => undefined;
  }
}
