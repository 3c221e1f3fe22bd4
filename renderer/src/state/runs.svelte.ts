// Every finished run of the project: its settings, model snapshot, history and metrics. Runs are
// saved with the project, compared by overlaying their curves, renamed and deleted here.
import type { RunRecordFile } from '../../../common/project/project-file';
import type { TrainingEvent, TrainingSettings } from '../../../common/ipc/contract';
import type { ModelTopology } from '../../../common/model/keras-format';
import { backend } from '../lib/backend';

export const OVERLAY_COLORS = ['#7c3aed', '#059669', '#db2777', '#0891b2', '#a16207', '#475569'];

export class RunsState {
  runs = $state.raw<RunRecordFile[]>([]);
  /** Runs whose curves are drawn beside the current one. */
  overlay = $state<string[]>([]);
  private pending = new Map<string, { settings: TrainingSettings; model: ModelTopology; dataset: string }>();

  constructor() {
    backend.on('training.event', (e) => this.handle(e));
  }

  /** Remembered when a run starts, so its record can be written when it finishes. */
  starting(runId: string, settings: TrainingSettings, model: ModelTopology, dataset: string): void {
    this.pending.set(runId, { settings, model, dataset });
  }

  private handle(e: TrainingEvent): void {
    if (e.type !== 'finished') return;
    const p = this.pending.get(e.runId);
    if (!p) return;
    this.pending.delete(e.runId);
    const n = this.runs.length + 1;
    const record: RunRecordFile = {
      id: e.runId,
      name: `Run ${n} · lr ${p.settings.learningRate} · ${p.settings.optimizer}`,
      createdAt: new Date().toISOString(),
      dataset: p.dataset,
      backend: e.backend,
      settings: p.settings,
      model: p.model,
      history: e.history.map((h) => ({ ...h, accuracy: Number.isNaN(h.accuracy) ? null : h.accuracy })),
      test: e.test,
      regression: e.regression ?? null,
      stopped: e.stopped,
      ...(e.stopReason ? { stopReason: e.stopReason } : {}),
    };
    this.runs = [...this.runs, record];
  }

  rename(id: string, name: string): void {
    this.runs = this.runs.map((r) => (r.id === id ? { ...r, name: name.trim() || r.name } : r));
  }

  remove(id: string): void {
    this.runs = this.runs.filter((r) => r.id !== id);
    this.overlay = this.overlay.filter((o) => o !== id);
  }

  toggleOverlay(id: string): void {
    this.overlay = this.overlay.includes(id) ? this.overlay.filter((o) => o !== id) : [...this.overlay, id];
  }

  colorOf(id: string): string {
    return OVERLAY_COLORS[Math.max(0, this.runs.findIndex((r) => r.id === id)) % OVERLAY_COLORS.length]!;
  }

  load(runs: RunRecordFile[]): void {
    this.runs = runs;
    this.overlay = [];
  }
}

export const runs = new RunsState();
