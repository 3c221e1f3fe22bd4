// Transfer-learning state: the backbones the engine offers, the form (backbone, cut layer, how
// many layers unfreeze, head, budget), and one comparison: a new head on the backbone's features
// (transfer.start) and then, with the same epochs, batch size and learning rate, LeNet-5 trained
// from scratch as an ordinary run (training.start, so it also shows in the Train view).
import type { EpochRecord, TrainingEvent, TrainingSettings } from '../../../common/ipc/contract';
import type { BackboneInfo, BackboneRef, TransferEvent, TransferResultInfo } from '../../../common/ipc/contract';
import { backend } from '../lib/backend';
import { JobEvents } from '../lib/job-events';
import { workbench } from './workbench.svelte';
import { runs } from './runs.svelte';

export type TransferStatus = 'idle' | 'starting' | 'running' | 'baseline' | 'finished' | 'stopped' | 'failed';
export type TransferPhase = 'loading' | 'features' | 'training' | 'baseline';

/** The small CNN trained from scratch for the comparison. */
export const BASELINE_TEMPLATE = 'lenet5';

export interface BaselineResult {
  runId: string;
  testAccuracy: number | null;
  valAccuracy: number | null;
  trainableParams: number;
  seconds: number;
  inputShape: number[];
}

export function refKey(ref: BackboneRef): string {
  if ('builtin' in ref) return `builtin:${ref.builtin}`;
  if ('path' in ref) return `path:${ref.path}`;
  return `run:${ref.runId}`;
}

/** Training settings for both sides: the Train view's data options, the panel's budget, no callbacks. */
function budgetSettings(epochs: number, batchSize: number, learningRate: number): TrainingSettings {
  const s = $state.snapshot(workbench.settings) as TrainingSettings;
  delete s.earlyStopping;
  delete s.reduceLrOnPlateau;
  delete s.keepBest;
  return { ...s, epochs, batchSize, learningRate };
}

export class TransferState {
  backbones = $state.raw<BackboneInfo[]>([]);
  backbonesError = $state<string | null>(null);
  loadingBackbones = $state(false);
  selected = $state('builtin:mobilenet-v2-imagenet');
  /** A TF.js model folder (or model.json) to add as a backbone. */
  path = $state('');
  /** '' is the backbone's suggested cut. */
  cutLayer = $state('');
  unfreeze = $state(0);
  headUnits = $state(64);
  epochs = $state(10);
  batchSize = $state(16);
  learningRate = $state(0.001);
  compare = $state(true);

  transferId = $state<string | null>(null);
  baselineRunId = $state<string | null>(null);
  status = $state<TransferStatus>('idle');
  phase = $state<TransferPhase | null>(null);
  done = $state(0);
  total = $state(0);
  error = $state<string | null>(null);
  transferHistory = $state.raw<EpochRecord[]>([]);
  baselineHistory = $state.raw<EpochRecord[]>([]);
  result = $state.raw<TransferResultInfo | null>(null);
  baseline = $state.raw<BaselineResult | null>(null);
  /** What the finished comparison ran on (the form may change afterwards). */
  ranWith = $state.raw<{ backbone: string; cut: string; unfreeze: number; headUnits: number; epochs: number; dataset: string } | null>(null);

  private readonly transferEvents = new JobEvents<TransferEvent>((e) => e.transferId, (e) => this.onTransfer(e));
  private readonly baselineEvents = new JobEvents<TrainingEvent>((e) => e.runId, (e) => this.onTraining(e));
  private baselineStarted = 0;
  private baselineParams = 0;
  private stopRequested = false;

  constructor() {
    backend.on('transfer.event', (e) => this.transferEvents.accept(e));
    backend.on('training.event', (e) => this.baselineEvents.accept(e));
    backend.on('engine.status', (s) => {
      if (s.state === 'crashed' && this.running) {
        this.status = 'failed';
        this.error = s.message;
      }
    });
  }

  get running(): boolean {
    return this.status === 'starting' || this.status === 'running' || this.status === 'baseline';
  }

  get backbone(): BackboneInfo | undefined {
    return this.backbones.find((b) => refKey(b.ref) === this.selected);
  }

  /** Why the chosen data cannot be used, or null when it can. */
  get dataProblem(): string | null {
    const ds = workbench.dataset;
    if (!ds) return null;
    if (ds.kind === 'table') return `The data chosen for training, ${ds.name}, is a table (${ds.examples.toLocaleString('en-US')} rows of numbers). Transfer learning reuses an image model, so it needs images: a folder with one sub-folder of pictures per class. Import one in the Data view and press “Use for training”.`;
    if (ds.task === 'regression') return `${ds.name} has a number to predict; transfer learning here trains a classifier (one sub-folder per class).`;
    if (ds.classes.length < 2) return `${ds.name} has ${ds.classes.length} class; a classifier needs at least two.`;
    return null;
  }

  async loadBackbones(path?: string): Promise<void> {
    this.loadingBackbones = true;
    this.backbonesError = null;
    try {
      const r = await backend.invoke('transfer.backbones', path ? { path } : {});
      // Backbones added from disk earlier stay in the list.
      const kept = this.backbones.filter((b) => 'path' in b.ref && !r.backbones.some((n) => refKey(n.ref) === refKey(b.ref)));
      this.backbones = [...r.backbones, ...kept];
      if (path) {
        const added = r.backbones.find((b) => 'path' in b.ref && b.ref.path === path);
        if (added) this.choose(refKey(added.ref));
      } else if (!this.backbone && this.backbones[0]) this.choose(refKey(this.backbones[0].ref));
    } catch (e) {
      this.backbonesError = (e as Error).message;
    } finally {
      this.loadingBackbones = false;
    }
  }

  choose(key: string): void {
    this.selected = key;
    this.cutLayer = '';
  }

  async start(): Promise<void> {
    const backbone = this.backbone;
    if (!backbone || this.running) return;
    const problem = this.dataProblem;
    if (problem) {
      this.error = problem;
      this.status = 'failed';
      return;
    }
    this.error = null;
    this.result = null;
    this.baseline = null;
    this.transferHistory = [];
    this.baselineHistory = [];
    this.transferId = null;
    this.baselineRunId = null;
    this.baselineEvents.reset();
    this.transferEvents.begin();
    this.stopRequested = false;
    this.phase = 'loading';
    this.done = 0;
    this.total = 1;
    this.status = 'starting';
    const cut = this.cutLayer || backbone.defaultCut;
    this.ranWith = { backbone: backbone.name, cut, unfreeze: this.unfreeze, headUnits: this.headUnits, epochs: this.epochs, dataset: workbench.dataset?.name ?? workbench.datasetId };
    try {
      const r = await backend.invoke('transfer.start', {
        backbone: $state.snapshot(backbone.ref) as BackboneRef,
        cutLayer: cut,
        unfreeze: this.unfreeze,
        headUnits: this.headUnits,
        dataset: workbench.datasetId,
        settings: budgetSettings(this.epochs, this.batchSize, this.learningRate),
        compareFromScratch: false,
      });
      this.transferId = r.transferId;
      this.status = 'running';
      this.transferEvents.started(r.transferId);
    } catch (e) {
      this.transferEvents.reset();
      this.status = 'failed';
      this.error = (e as Error).message;
    }
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    try {
      if (this.status === 'running' && this.transferId) await backend.invoke('transfer.stop', { transferId: this.transferId });
      else if (this.status === 'baseline' && this.baselineRunId) await backend.invoke('training.stop', { runId: this.baselineRunId });
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private onTransfer(e: TransferEvent): void {
    switch (e.type) {
      case 'progress':
        this.phase = e.phase;
        this.done = e.done;
        this.total = e.total;
        break;
      case 'epoch': {
        const { type: _t, transferId: _id, which, ...record } = e;
        if (which === 'transfer') this.transferHistory = [...this.transferHistory, record];
        break;
      }
      case 'finished':
        this.result = e.transfer;
        this.transferHistory = e.transfer.history;
        if (e.stopped || this.stopRequested) {
          this.status = 'stopped';
          this.phase = null;
        } else if (this.compare) void this.startBaseline();
        else {
          this.status = 'finished';
          this.phase = null;
        }
        break;
      case 'failed':
        this.status = 'failed';
        this.phase = null;
        this.error = e.message;
        break;
    }
  }

  /** LeNet-5 from random weights on the same data with the same epochs, batch size and learning rate. */
  private async startBaseline(): Promise<void> {
    this.status = 'baseline';
    this.phase = 'baseline';
    this.done = 0;
    this.total = this.epochs;
    this.baselineEvents.begin();
    try {
      const r = await backend.invoke('training.start', {
        model: { template: BASELINE_TEMPLATE },
        dataset: workbench.datasetId,
        settings: budgetSettings(this.epochs, this.batchSize, this.learningRate),
        name: runs.nextName(),
        modelName: 'LeNet-5 from scratch (transfer comparison)',
      });
      this.baselineRunId = r.runId;
      this.baselineEvents.started(r.runId);
    } catch (e) {
      this.baselineEvents.reset();
      this.status = 'failed';
      this.phase = null;
      this.error = `The from-scratch run did not start: ${(e as Error).message}`;
    }
  }

  private onTraining(e: TrainingEvent): void {
    switch (e.type) {
      case 'started':
        this.baselineStarted = performance.now();
        this.baselineParams = e.totalParams;
        this.total = e.epochs;
        break;
      case 'epoch': {
        const { type: _t, runId: _r, ...record } = e;
        this.baselineHistory = [...this.baselineHistory, record];
        this.done = e.epoch;
        break;
      }
      case 'finished': {
        const last = e.history[e.history.length - 1];
        this.baselineHistory = e.history;
        this.baseline = {
          runId: e.runId,
          testAccuracy: e.test?.accuracy ?? null,
          valAccuracy: last?.valAccuracy ?? null,
          trainableParams: this.baselineParams,
          seconds: this.baselineStarted ? (performance.now() - this.baselineStarted) / 1000 : e.history.reduce((a, h) => a + h.seconds, 0),
          inputShape: workbench.dataset?.inputShape ?? [],
        };
        this.status = e.stopped ? 'stopped' : 'finished';
        this.phase = null;
        // The finished LeNet-5 run can itself be a backbone now.
        void this.loadBackbones();
        break;
      }
      case 'failed':
        this.status = 'failed';
        this.phase = null;
        this.error = `The from-scratch run failed: ${e.message}`;
        break;
    }
  }
}

export const transfer = new TransferState();
