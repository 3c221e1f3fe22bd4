// Tuning state: the search-space form, the running study (trials as the engine reports them),
// saved studies, "apply best" back to the builder and the training settings, and model export.
// The only caller of the backend for the tuning domain.
import type { TrainingSettings } from '../../../common/ipc/contract';
import type { ExportCheckInfo, ExportFormatName, TuningBest, TuningMetric, TuningParams, TuningSpace, TuningStudySummary, TuningTrialInfo } from '../../../common/ipc/contract';
import { backend } from '../lib/backend';
import { modelScope } from '../../../common/project/run-scope';
import { JobEvents } from '../lib/job-events';
import type { Events } from '../../../common/ipc/contract';

/** A study's events, tagged by kind so one JobEvents follows all three. */
type StudyEvent =
  | { kind: 'trial'; studyId: string; e: Events['tuning.trial'] }
  | { kind: 'epoch'; studyId: string; e: Events['tuning.epoch'] }
  | { kind: 'finished'; studyId: string; e: Events['tuning.finished'] };
import { graphState } from './graph.svelte';
import { workbench } from './workbench.svelte';

export type TuningStatus = 'idle' | 'starting' | 'running' | 'finished' | 'stopped' | 'failed';

/** One row of the search-space form: a range (or a list of choices) and whether it is searched. */
export interface SpaceRow {
  key: string;
  label: string;
  enabled: boolean;
  kind: 'float' | 'int' | 'choices';
  log: boolean;
  low: number;
  high: number;
  /** Comma-separated (choices rows). */
  choices: string;
  /** Units rows: the layer width the range was made for (a different width makes a new range). */
  basis?: number;
}

function baseRows(): SpaceRow[] {
  return [
    { key: 'lr', label: 'Learning rate', enabled: true, kind: 'float', log: true, low: 1e-4, high: 1e-1, choices: '' },
    { key: 'dropout', label: 'Dropout', enabled: true, kind: 'float', log: false, low: 0, high: 0.5, choices: '' },
    { key: 'l2', label: 'L2 penalty', enabled: true, kind: 'float', log: true, low: 1e-6, high: 1e-2, choices: '' },
    { key: 'batch', label: 'Batch size', enabled: false, kind: 'choices', log: false, low: 0, high: 0, choices: '8, 16, 32, 64' },
  ];
}

export interface TrialProgress {
  trial: number;
  epoch: number;
  epochs: number;
}

export class TuningState {
  rows = $state<SpaceRow[]>(baseRows());
  nTrials = $state(10);
  epochsPerTrial = $state(20);
  sampler = $state<'tpe' | 'random'>('tpe');
  pruner = $state<'median' | 'none'>('median');
  metric = $state<TuningMetric>('valLoss');
  seed = $state(1);
  studyName = $state('');

  studyId = $state<string | null>(null);
  name = $state<string | null>(null);
  status = $state<TuningStatus>('idle');
  error = $state<string | null>(null);
  trials = $state.raw<TuningTrialInfo[]>([]);
  best = $state.raw<TuningBest | null>(null);
  progress = $state<TrialProgress | null>(null);
  direction = $state<'minimize' | 'maximize'>('minimize');
  applied = $state<string | null>(null);
  studies = $state.raw<TuningStudySummary[]>([]);
  studiesDir = $state('');

  exportFormat = $state<ExportFormatName>('tfjs');
  exportDir = $state('');
  exporting = $state(false);
  exportResult = $state.raw<{ outDir: string; files: string[]; check: ExportCheckInfo; runId: string } | null>(null);
  exportError = $state<string | null>(null);

  constructor() {
    backend.on('tuning.trial', (e) => this.studyEvents.accept({ kind: 'trial', studyId: e.studyId, e }));
    backend.on('tuning.epoch', (e) => this.studyEvents.accept({ kind: 'epoch', studyId: e.studyId, e }));
    backend.on('tuning.finished', (e) => this.studyEvents.accept({ kind: 'finished', studyId: e.studyId, e }));
    backend.on('engine.status', (s) => {
      if (s.state === 'crashed' && this.running) {
        this.status = 'failed';
        this.error = s.message;
      }
    });
  }

  private readonly studyEvents = new JobEvents<StudyEvent>((x) => x.studyId, (x) => this.onStudy(x));

  private onStudy(x: StudyEvent): void {
    if (x.kind === 'trial') {
      const { studyId: _s, best: _b, ...trial } = x.e;
      this.trials = [...this.trials.filter((t) => t.number !== trial.number), trial].sort((a, b) => a.number - b.number);
    } else if (x.kind === 'epoch') {
      this.progress = { trial: x.e.trial, epoch: x.e.epoch, epochs: x.e.epochs };
    } else {
      const e = x.e;
      this.progress = null;
      this.direction = e.direction;
      this.best = e.best;
      this.status = e.failed ? 'failed' : e.stopped ? 'stopped' : 'finished';
      this.error = e.failed;
      void this.loadStudies();
    }
  }

  get running(): boolean {
    return this.status === 'running' || this.status === 'starting';
  }

  /** Dense layers of the builder's model whose width can be searched (not the output layer). */
  get denseLayers(): { name: string; units: number }[] {
    const g = graphState.graph;
    return g.layers.filter((l) => l.className === 'Dense' && !g.outputs.includes(l.name)).map((l) => ({ name: l.name, units: Number(l.config['units'] ?? 0) }));
  }

  /** Keeps one units row per hidden Dense layer of the current model. */
  syncLayerRows(): void {
    const layers = this.denseLayers;
    // A layer of the same name but another width (another model) gets a range around its own width.
    const keep = this.rows.filter((r) => !r.key.startsWith('units.') || layers.some((l) => `units.${l.name}` === r.key && l.units === r.basis));
    for (const l of layers) {
      if (!keep.some((r) => r.key === `units.${l.name}`)) {
        keep.push({ key: `units.${l.name}`, label: `Units of ${l.name}`, enabled: false, kind: 'int', log: false, low: Math.max(1, Math.round(l.units / 2)), high: Math.max(2, l.units * 2), choices: '', basis: l.units });
      }
    }
    if (keep.length !== this.rows.length || keep.some((r, i) => r !== this.rows[i])) this.rows = keep;
  }

  /** The search space from the form, or an error message. */
  space(): TuningSpace | string {
    const space: TuningSpace = {};
    for (const r of this.rows) {
      if (!r.enabled) continue;
      if (r.kind === 'choices') {
        const choices = r.choices.split(',').map((c) => c.trim()).filter(Boolean).map(Number);
        if (choices.length === 0 || choices.some((c) => !Number.isFinite(c) || c <= 0)) return `${r.label}: give positive numbers separated by commas.`;
        space[r.key] = { type: 'categorical', choices };
        continue;
      }
      if (!Number.isFinite(r.low) || !Number.isFinite(r.high) || r.low > r.high) return `${r.label}: the low end must not exceed the high end.`;
      if (r.log && r.low <= 0) return `${r.label}: a log-scale range must be above 0.`;
      if (r.kind === 'int') space[r.key] = { type: 'int', low: Math.round(r.low), high: Math.round(r.high), ...(r.log ? { log: true } : {}) };
      else space[r.key] = { type: 'float', low: r.low, high: r.high, ...(r.log ? { log: true } : {}) };
    }
    if (Object.keys(space).length === 0) return 'Choose at least one parameter to search.';
    return space;
  }

  /** Applying the best trial changes the model on purpose: the next scope is the study's own. */
  private applying = false;
  /** The workspace scope the study and its messages belong to. */
  private scope: string | null = null;

  /** The data or the model changed: ranges follow the new model, messages about the old one go. */
  rescope(scope: string): void {
    this.syncLayerRows();
    if (this.applying || this.running) {
      this.applying = false;
      this.scope = scope;
      return;
    }
    if (scope === this.scope) return;
    this.scope = scope;
    this.applied = null;
    // A study is a search of one model on one dataset: the name of the last one would resume it for other data.
    this.studyName = '';
    this.exportResult = null;
    this.exportError = null;
    if (!this.running && this.status !== 'idle') {
      this.status = 'idle';
      this.trials = [];
      this.best = null;
      this.error = null;
      this.progress = null;
      this.name = null;
    }
  }

  async start(): Promise<void> {
    const space = this.space();
    if (typeof space === 'string') {
      this.error = space;
      this.status = 'failed';
      return;
    }
    this.error = null;
    this.trials = [];
    this.best = null;
    this.applied = null;
    this.progress = null;
    this.status = 'starting';
    this.direction = this.metric === 'valLoss' ? 'minimize' : 'maximize';
    const settings = { ...($state.snapshot(workbench.settings) as TrainingSettings), epochs: this.epochsPerTrial };
    this.studyEvents.begin();
    try {
      const r = await backend.invoke('tuning.start', {
        model: { topology: graphState.topology() },
        dataset: workbench.datasetId,
        settings,
        space,
        nTrials: this.nTrials,
        sampler: this.sampler,
        pruner: this.pruner,
        seed: this.seed,
        metric: this.metric,
        ...(this.studyName.trim() ? { studyName: this.studyName.trim() } : {}),
      });
      this.studyId = r.studyId;
      this.studyEvents.started(r.studyId);
      this.name = r.name;
      if (this.status === 'starting') this.status = 'running';
      if (r.resumedTrials > 0) await this.loadOldTrials(r.name);
    } catch (e) {
      this.studyEvents.reset();
      this.status = 'failed';
      this.error = (e as Error).message;
    }
  }

  private async loadOldTrials(name: string): Promise<void> {
    const s = await backend.invoke('tuning.open', { name });
    const fresh = this.trials;
    this.trials = [...s.trialList.filter((t) => !fresh.some((f) => f.number === t.number) && t.state !== 'running'), ...fresh].sort((a, b) => a.number - b.number);
  }

  async stop(): Promise<void> {
    if (this.studyId && this.running) await backend.invoke('tuning.stop', { studyId: this.studyId });
  }

  async loadStudies(): Promise<void> {
    try {
      const r = await backend.invoke('tuning.list', {});
      this.studies = r.studies;
      this.studiesDir = r.directory;
    } catch {
      this.studies = [];
    }
  }

  /** Shows a saved study; its name goes into the form, so Start resumes it. */
  async open(name: string): Promise<void> {
    try {
      const s = await backend.invoke('tuning.open', { name });
      this.studyId = null;
      this.name = s.name;
      this.studyName = s.name;
      this.trials = s.trialList;
      this.best = s.best;
      this.direction = s.direction;
      this.metric = s.metric;
      this.status = 'finished';
      this.error = null;
      this.applied = null;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** Best trial so far among the trials shown. */
  get bestTrial(): TuningTrialInfo | null {
    let best: TuningTrialInfo | null = null;
    for (const t of this.trials) {
      if (t.state !== 'complete' || t.value === null) continue;
      if (!best || (this.direction === 'minimize' ? t.value < best.value! : t.value > best.value!)) best = t;
    }
    return best;
  }

  /** The best configuration into the builder (one undoable edit) and the training settings. */
  applyBest(): void {
    const b = this.best;
    if (!b) return;
    const before = modelScope(graphState.topology());
    graphState.loadTopology(b.topology, null, null);
    this.applying = modelScope(graphState.topology()) !== before;
    const s = workbench.settings;
    s.learningRate = b.settings.learningRate;
    s.batchSize = b.settings.batchSize;
    s.optimizer = b.settings.optimizer;
    this.applied = `Applied trial ${b.number}: ${formatParams(b.params)}`;
  }

  async exportModel(runId: string, defaultFolder: string): Promise<void> {
    this.exporting = true;
    this.exportError = null;
    this.exportResult = null;
    try {
      const dir = this.exportDir.trim() || defaultFolder;
      const r = await backend.invoke('export.model', { runId, format: this.exportFormat, dir });
      this.exportResult = { outDir: r.outDir, files: r.files, check: r.check, runId };
    } catch (e) {
      this.exportError = (e as Error).message;
    } finally {
      this.exporting = false;
    }
  }
}

export function formatValue(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toPrecision(3);
}

export function formatParams(params: TuningParams): string {
  return Object.entries(params).map(([k, v]) => `${k} = ${formatValue(v)}`).join(', ');
}

export const tuning = new TuningState();
