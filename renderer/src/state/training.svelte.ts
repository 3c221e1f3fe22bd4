// Training state: the current run as the engine reports it. Histories live in $state.raw and are
// replaced whole, so charts redraw once per event rather than tracking every array element.
import type { EpochRecord, EvaluationMetrics, TrainingEvent, TrainingSettings } from '../../../common/ipc/contract';
import { backend } from '../lib/backend';
import type { ModelTopology } from '../../../common/model/keras-format';
import { runs } from './runs.svelte';

export type RunStatus = 'idle' | 'starting' | 'training' | 'paused' | 'finished' | 'stopped' | 'failed';

export class TrainingState {
  runId = $state<string | null>(null);
  status = $state<RunStatus>('idle');
  backendName = $state('');
  device = $state('');
  totalEpochs = $state(0);
  batchesPerEpoch = $state(0);
  epoch = $state(0);
  batch = $state(0);
  samplesPerSec = $state(0);
  batchLoss = $state<number | null>(null);
  /** Smoothed (EMA) per-batch loss, x in epochs: the curve that moves within an epoch. */
  batchCurve = $state.raw<{ x: number; y: number }[]>([]);
  learningRate = $state<number | null>(null);
  stopReason = $state<string | null>(null);
  regression = $state.raw<import('../../../common/ipc/contract').RegressionMetrics | null>(null);
  private ema = 0;
  private emaSteps = 0;
  /** Batch-curve points not drawn yet: the chart redraws at most once a second during an epoch. */
  private pendingCurve: { x: number; y: number }[] = [];
  private lastCurveDraw = 0;
  private lastProgressDraw = 0;
  examples = $state({ train: 0, validation: 0, test: 0 });
  history = $state.raw<EpochRecord[]>([]);
  test = $state.raw<EvaluationMetrics | null>(null);
  error = $state<string | null>(null);
  startedAt = $state(0);
  now = $state(0);
  private pausedMs = 0;
  private pausedAt = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    backend.on('training.event', (e) => this.handle(e));
    backend.on('engine.status', (s) => {
      if (s.state === 'crashed' && (this.status === 'training' || this.status === 'paused' || this.status === 'starting')) {
        this.fail(s.message);
      }
    });
  }

  get running(): boolean {
    return this.status === 'training' || this.status === 'paused' || this.status === 'starting';
  }

  /** Seconds spent training, pauses excluded. */
  get elapsed(): number {
    if (!this.startedAt) return 0;
    const pausedNow = this.status === 'paused' ? this.now - this.pausedAt : 0;
    return Math.max(0, (this.now - this.startedAt - this.pausedMs - pausedNow) / 1000);
  }

  /** Remaining seconds, from the pace so far. */
  get eta(): number | null {
    const done = (this.epoch - 1) * this.batchesPerEpoch + this.batch;
    const total = this.totalEpochs * this.batchesPerEpoch;
    if (done <= 0 || total <= 0 || !this.running) return null;
    return (this.elapsed / done) * (total - done);
  }

  get progress(): number {
    const total = this.totalEpochs * this.batchesPerEpoch;
    if (this.status === 'finished') return 1;
    return total ? Math.min(1, ((this.epoch - 1) * this.batchesPerEpoch + this.batch) / total) : 0;
  }

  async start(model: { template: string } | { topology: ModelTopology }, dataset: string, settings: TrainingSettings): Promise<void> {
    this.reset();
    this.status = 'starting';
    try {
      const snapshot = $state.snapshot(settings) as TrainingSettings;
      const { runId } = await backend.invoke('training.start', { model, dataset, settings: snapshot });
      if ('topology' in model) runs.starting(runId, snapshot, model.topology, dataset);
      this.runId = runId;
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  async pause(): Promise<void> {
    if (this.runId) await backend.invoke('training.pause', { runId: this.runId });
  }

  async resume(): Promise<void> {
    if (this.runId) await backend.invoke('training.resume', { runId: this.runId });
  }

  async stop(): Promise<void> {
    if (this.runId) await backend.invoke('training.stop', { runId: this.runId });
  }

  private flushCurve(): void {
    if (!this.pendingCurve.length) return;
    // Thin out old points so a 10,000-epoch run stays light to draw.
    const curve = this.batchCurve.length >= 2000 ? this.batchCurve.filter((_, i) => i % 2 === 0) : this.batchCurve;
    this.batchCurve = [...curve, ...this.pendingCurve];
    this.pendingCurve = [];
    this.lastCurveDraw = Date.now();
  }

  private reset(): void {
    this.runId = null;
    this.history = [];
    this.test = null;
    this.error = null;
    this.epoch = 0;
    this.batch = 0;
    this.samplesPerSec = 0;
    this.batchLoss = null;
    this.batchCurve = [];
    this.pendingCurve = [];
    this.ema = 0;
    this.emaSteps = 0;
    this.learningRate = null;
    this.stopReason = null;
    this.regression = null;
    this.startedAt = 0;
    this.pausedMs = 0;
  }

  private fail(message: string): void {
    this.status = 'failed';
    this.error = message;
    this.stopClock();
  }

  private startClock(): void {
    this.stopClock();
    this.startedAt = this.now = Date.now();
    this.timer = setInterval(() => (this.now = Date.now()), 1000);
  }

  private stopClock(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.now = Date.now();
  }

  handle(e: TrainingEvent): void {
    // Events of an earlier run (still draining) are not this run's.
    if (e.type !== 'started' && this.runId && e.runId !== this.runId) return;
    switch (e.type) {
      case 'started':
        this.runId = e.runId;
        this.status = 'training';
        this.backendName = e.backend;
        this.device = e.device;
        this.totalEpochs = e.epochs;
        this.batchesPerEpoch = e.batchesPerEpoch;
        this.examples = { train: e.trainExamples, validation: e.valExamples, test: e.testExamples };
        this.epoch = 1;
        this.startClock();
        break;
      case 'batch': {
        // Progress numbers on screen change at most 4 times a second; the events keep coming.
        const now = Date.now();
        if (now - this.lastProgressDraw >= 250 || e.batch === e.batchesPerEpoch) {
          this.lastProgressDraw = now;
          this.epoch = e.epoch;
          this.batch = e.batch;
          this.batchLoss = e.loss;
          this.samplesPerSec = e.samplesPerSec;
        }
        if (Number.isFinite(e.loss)) {
          this.emaSteps++;
          this.ema = 0.8 * this.ema + 0.2 * e.loss;
          this.pendingCurve.push({ x: e.epoch - 1 + e.batch / e.batchesPerEpoch, y: this.ema / (1 - 0.8 ** this.emaSteps) });
          // Redrawing costs the CPU that training needs (2 cores are common): at most once a second.
          if (now - this.lastCurveDraw >= 1000 || e.batch === e.batchesPerEpoch) this.flushCurve();
        }
        break;
      }
      case 'epoch':
        this.history = [...this.history, e];
        this.learningRate = e.learningRate;
        this.samplesPerSec = e.samplesPerSec;
        this.epoch = Math.min(e.epoch + 1, this.totalEpochs);
        this.batch = e.epoch + 1 > this.totalEpochs ? this.batchesPerEpoch : 0;
        break;
      case 'paused':
        this.status = 'paused';
        this.pausedAt = Date.now();
        break;
      case 'resumed':
        this.status = 'training';
        this.pausedMs += Date.now() - this.pausedAt;
        break;
      case 'finished':
        this.flushCurve();
        this.status = e.stopped ? 'stopped' : 'finished';
        this.history = e.history;
        this.test = e.test;
        this.regression = e.regression ?? null;
        this.stopReason = e.stopReason ? `${e.stopReason}${e.restoredEpoch ? `; the weights of epoch ${e.restoredEpoch} were restored` : ''}.` : e.restoredEpoch ? `Best weights (epoch ${e.restoredEpoch}) restored.` : null;
        this.backendName = e.backend;
        this.stopClock();
        break;
      case 'failed':
        this.fail(e.message);
        break;
    }
  }
}

export const training = new TrainingState();
