// A run trained by a page's compute worker, as the training service sees it: the same controls
// and result as a TrainingRun in the engine. The worker's epoch weights are applied to the
// engine's copy of the model before the epoch event goes out, so the engine always holds the last
// good epoch (pinned snapshots, inspection and a page that closes mid-run all rely on it).
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EpochRecord } from '../../common/ipc/contract';
import type { EpochEvent, FromWorker, GpuBackend, LoopEvent, TrainJob } from '../../compute/protocol';
import { TrainingFailure, type RunControl, type TrainResult } from '../../compute/training-loop';
import { writeWeights } from '../../compute/weights';
import type { ComputeLink } from './compute-link';

export class RemoteTrainingRun implements RunControl {
  readonly history: EpochRecord[] = [];
  /** The test split's predictions from the worker (null when the run ended without them). */
  predictions: Float32Array | null = null;
  /** Tensors the worker held before and after the run (its memory is back to baseline when equal). */
  memory: { tensorsBefore: number; tensorsAfter: number } | null = null;
  private paused = false;
  private settle: { resolve: (r: TrainResult) => void; reject: (e: Error) => void } | null = null;
  private batchInfo = { epoch: 0, batchesPerEpoch: 0 };

  constructor(
    private readonly link: ComputeLink,
    private readonly job: TrainJob,
    private readonly model: tfl.LayersModel,
    private readonly onEvent: (event: LoopEvent | EpochEvent) => void,
  ) {}

  get backend(): GpuBackend {
    return this.job.backend;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.link.send({ type: 'control', runId: this.job.runId, action: 'pause' });
  }

  resume(): void {
    this.link.send({ type: 'control', runId: this.job.runId, action: 'resume' });
  }

  stop(): void {
    this.link.send({ type: 'control', runId: this.job.runId, action: 'stop' });
  }

  run(): Promise<TrainResult> {
    return new Promise<TrainResult>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.link.send({ type: 'train', job: this.job });
    });
  }

  /** A message from the worker about this run. */
  receive(m: FromWorker): void {
    if (!this.settle) return;
    try {
      if (m.type === 'event') {
        if (m.event.type === 'paused') this.paused = true;
        if (m.event.type === 'resumed') this.paused = false;
        if (m.event.type === 'batch') this.batchInfo = { epoch: m.event.epoch, batchesPerEpoch: m.event.batchesPerEpoch };
        this.onEvent(m.event);
      } else if (m.type === 'epoch') {
        writeWeights(this.model, m.weights);
        const { type: _type, runId: _runId, ...record } = m.event;
        this.history.push(record);
        this.onEvent(m.event);
      } else if (m.type === 'done') {
        writeWeights(this.model, m.weights);
        this.history.splice(0, this.history.length, ...m.outcome.history);
        this.predictions = m.predictions;
        this.memory = m.memory;
        this.end().resolve(m.outcome);
      } else if (m.type === 'failed') {
        this.end().reject(new TrainingFailure(m.message));
      }
    } catch (e) {
      // Weights that do not fit the model: the worker is not running the model it was given.
      this.stop();
      this.end().reject(new TrainingFailure(`The compute worker sent weights that do not fit the model (${(e as Error).message}).`));
    }
  }

  /**
   * The worker's link is gone. A page that said it was closing ends the run as stopped, keeping
   * the last epoch's weights (the engine has them); a worker that vanished fails the run.
   */
  linkLost(pageClosing: boolean): void {
    const backendName = this.job.backend;
    if (!this.settle) return;
    const done = this.history.length;
    const where = done > 0 ? `after epoch ${done} of ${this.job.epochs}` : `during epoch ${Math.max(1, this.batchInfo.epoch)} of ${this.job.epochs}`;
    if (pageClosing && done > 0) {
      this.end().resolve({ history: this.history, stopped: true, stopReason: `the page training it on ${backendName} closed ${where}; the weights of epoch ${done} were kept` });
      return;
    }
    const kept = done > 0 ? ` The weights of epoch ${done}, the last good one, were kept.` : '';
    const why = pageClosing ? 'the page training it closed' : 'the GPU worker stopped (the page restarted it, the GPU driver reset, or it ran out of memory)';
    this.end().reject(new TrainingFailure(`Training on ${backendName} ended ${where}: ${why}.${kept} Earlier runs are intact; start the run again.`));
  }

  private end(): { resolve: (r: TrainResult) => void; reject: (e: Error) => void } {
    const s = this.settle!;
    this.settle = null;
    return s;
  }
}
