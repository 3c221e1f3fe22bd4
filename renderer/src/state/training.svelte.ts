// Training state: the current run as the engine reports it. Histories live in $state.raw and are
// replaced whole, so charts redraw once per event rather than tracking every array element.
import type { EpochRecord, EvaluationMetrics, TrainingEvent, TrainingSettings } from '../../../common/ipc/contract';
import { backend } from '../lib/backend';
import { JobEvents } from '../lib/job-events';
import type { ModelSource } from '../../../common/ipc/contract';

export type RunStatus = 'idle' | 'starting' | 'queued' | 'training' | 'paused' | 'finished' | 'stopped' | 'failed';

export class TrainingState {
  runId = $state<string | null>(null);
  status = $state<RunStatus>('idle');
  /** The run's one name (as the runs table and every view show it). */
  runName = $state('');
  /**
   * What the run trains, "model on data", fixed when it starts: the workbench may load other data
   * or change the model meanwhile, and the run is still the one it was.
   */
  subject = $state('');
  /** Runs ahead of this one while it is queued. */
  queuedBehind = $state(0);
  /** Why this backend trains (auto's measured choice, or "you chose it"). */
  backendReason = $state('');
  /** The last run of this page that finished (the workspace selects it). */
  finishedRunId = $state<string | null>(null);
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

  private readonly events = new JobEvents<TrainingEvent>((e) => e.runId, (e) => this.handle(e));

  constructor() {
    backend.on('training.event', (e) => this.events.accept(e));
    backend.on('engine.status', (s) => {
      if (s.state === 'crashed' && (this.status === 'training' || this.status === 'paused' || this.status === 'starting')) {
        this.fail(s.message);
      }
    });
  }

  get running(): boolean {
    return this.status === 'training' || this.status === 'paused' || this.status === 'starting' || this.status === 'queued';
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

  async start(model: ModelSource, dataset: string, settings: TrainingSettings, names: { name: string; modelName: string; datasetName: string }): Promise<void> {
    this.reset();
    this.status = 'starting';
    this.runName = names.name;
    this.subject = `${names.modelName} on ${names.datasetName}`;
    this.events.begin();
    try {
      const snapshot = $state.snapshot(settings) as TrainingSettings;
      const r = await backend.invoke('training.start', { model, dataset, settings: snapshot, name: names.name, modelName: names.modelName });
      this.runId = r.runId;
      if (r.state === 'queued' && this.status === 'starting') {
        this.status = 'queued';
        this.queuedBehind = r.position;
      }
      this.events.started(r.runId);
    } catch (e) {
      this.events.reset();
      this.fail((e as Error).message);
    }
  }

  /** Back to "ready" when the data or the model changed (a running run keeps going). */
  clearResults(): void {
    if (this.running) return;
    this.events.reset();
    this.reset();
    this.status = 'idle';
    this.runName = '';
    this.subject = '';
    this.totalEpochs = 0;
    this.examples = { train: 0, validation: 0, test: 0 };
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

  private handle(e: TrainingEvent): void {
    switch (e.type) {
      case 'queued':
        this.status = 'queued';
        this.queuedBehind = e.position;
        break;
      case 'started':
        this.runId = e.runId;
        this.runName = e.info.name;
        this.subject = `${e.info.model.name} on ${e.info.dataset.name}`;
        this.status = 'training';
        this.backendName = e.backend;
        this.backendReason = e.reason;
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
          // The clock ticks once a second; a short run's elapsed time and ETA move with its progress too.
          this.now = now;
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
        this.finishedRunId = e.runId;
        this.stopClock();
        break;
      case 'failed':
        this.fail(e.message);
        break;
    }
  }
}

export const training = new TrainingState();
