// Every finished run of the project, whoever started it on this page (the Train view, the transfer
// comparison): its one name, data set and model, settings, history and metrics. Runs are saved with
// the project, selected (the run whose results the views show), compared by overlaying their
// curves, renamed and deleted here. A run's record comes from the engine's own description of it,
// so every view names it the same way.
import type { RunRecordFile } from '../../../common/project/project-file';
import type { TrainingEvent } from '../../../common/ipc/contract';
import { runScope } from '../../../common/project/run-scope';
import { backend } from '../lib/backend';

export const OVERLAY_COLORS = ['#7c3aed', '#059669', '#db2777', '#0891b2', '#a16207', '#475569'];

/** A run as the project stores it, with what its results belong to. */
export type RunView = RunRecordFile & { scope: string; datasetName: string; modelName: string };

/** The scope of a stored run (older files lack it: computed from what they hold). */
export function scopeOf(r: RunRecordFile): string {
  return typeof r['scope'] === 'string' ? (r['scope'] as string) : runScope(r.dataset, r.settings, r.model);
}

function view(r: RunRecordFile): RunView {
  return { ...r, scope: scopeOf(r), datasetName: r.datasetName ?? r.dataset, modelName: r.modelName ?? 'Your model' };
}

export class RunsState {
  runs = $state.raw<RunView[]>([]);
  /** The run whose results the views show (results of the current data and model only; see workspace). */
  selectedId = $state<string | null>(null);
  /** Runs whose curves are drawn beside the current one. */
  overlay = $state<string[]>([]);
  /** Runs finished since the project was opened or saved: what leaving the page or New would lose from it. */
  unsaved = $state(0);
  /**
   * The highest "Run N" the engine knows (its runs outlive this page: a reload, New): new runs are
   * numbered after it, so that Transfer, Inspect and Export never list two runs of one name.
   */
  private engineHighest = 0;

  constructor() {
    backend.on('training.event', (e) => this.handle(e));
    void backend.invoke('runs.list', {}).then((r) => this.noteNames(r.runs.map((x) => x.name)), () => undefined);
  }

  private noteNames(names: string[]): void {
    for (const n of names) this.engineHighest = Math.max(this.engineHighest, Number(/^Run (\d+)$/.exec(n)?.[1] ?? 0));
  }

  get selected(): RunView | null {
    return this.runs.find((r) => r.id === this.selectedId) ?? null;
  }

  /** The next run's default name: Run N after the project's runs. */
  nextName(): string {
    const numbers = this.runs.map((r) => Number(/^Run (\d+)$/.exec(r.name)?.[1] ?? 0));
    return `Run ${Math.max(this.runs.length, this.engineHighest, ...numbers) + 1}`;
  }

  private handle(e: TrainingEvent): void {
    if (e.type !== 'finished' || this.runs.some((r) => r.id === e.runId)) return;
    const info = e.info;
    const record: RunView = view({
      id: e.runId,
      name: info.name,
      createdAt: info.createdAt,
      dataset: info.dataset.ref,
      datasetName: info.dataset.name,
      modelName: info.model.name,
      backend: e.backend,
      settings: info.settings,
      model: e.topology,
      history: e.history.map((h) => ({ ...h, accuracy: Number.isNaN(h.accuracy) ? null : h.accuracy })),
      test: e.test,
      regression: e.regression ?? null,
      stopped: e.stopped,
      ...(e.stopReason ? { stopReason: e.stopReason } : {}),
      scope: runScope(info.dataset.ref, info.settings, e.topology),
    });
    this.runs = [...this.runs, record];
    this.unsaved++;
    this.noteNames([info.name]);
  }

  select(id: string | null): void {
    this.selectedId = id;
  }

  rename(id: string, name: string): void {
    const clean = name.trim();
    if (!clean) return;
    this.runs = this.runs.map((r) => (r.id === id ? { ...r, name: clean } : r));
    // The engine lists runs too (Inspect, Export, Transfer): the same name everywhere.
    void backend.invoke('runs.rename', { runId: id, name: clean }).catch(() => undefined);
  }

  remove(id: string): void {
    this.runs = this.runs.filter((r) => r.id !== id);
    this.overlay = this.overlay.filter((o) => o !== id);
    if (this.selectedId === id) this.selectedId = null;
  }

  toggleOverlay(id: string): void {
    this.overlay = this.overlay.includes(id) ? this.overlay.filter((o) => o !== id) : [...this.overlay, id];
  }

  colorOf(id: string): string {
    return OVERLAY_COLORS[Math.max(0, this.runs.findIndex((r) => r.id === id)) % OVERLAY_COLORS.length]!;
  }

  /** The project's runs (opening a project, New). */
  load(runs: RunRecordFile[]): void {
    this.runs = runs.map(view);
    this.unsaved = 0;
    this.overlay = [];
    this.selectedId = null;
  }
}

export const runs = new RunsState();
