// Pinned samples and their snapshots after every epoch of a training run, and the timeline that
// scrubs through them. The slider follows new snapshots while it sits at the latest epoch.
import type { InspectSnapshot, PinnedSample } from '../../../../common/ipc/contract';
import { backend } from '../../lib/backend';
import { message, type InspectSelection } from './selection';

export class TimelineState {
  pinned = $state.raw<PinnedSample[]>([]);
  snapshots = $state.raw<InspectSnapshot[]>([]);
  /** The pinned sample (by source row) the timeline shows, and its epoch. */
  sample = $state<number | null>(null);
  epoch = $state(0);
  private followLatest = true;

  constructor(private readonly selection: InspectSelection) {}

  /** Epochs recorded for the timeline sample, ascending. */
  get epochs(): number[] {
    const s = new Set(this.snapshots.filter((x) => x.datasetIndex === this.sample).map((x) => x.epoch));
    return [...s].sort((a, b) => a - b);
  }

  get snapshot(): InspectSnapshot | null {
    return this.snapshots.find((x) => x.datasetIndex === this.sample && x.epoch === this.epoch) ?? null;
  }

  isPinned(datasetIndex: number | null): boolean {
    return datasetIndex != null && this.pinned.some((p) => p.datasetIndex === datasetIndex);
  }

  clear(): void {
    this.pinned = [];
    this.snapshots = [];
  }

  /** Pins the chosen test sample, or unpins it. */
  async togglePin(): Promise<void> {
    const { runId, sample: s, sampleDatasetIndex: row } = this.selection;
    if (!runId || !s || !('split' in s) || s.split !== 'test' || row == null) return;
    const keep = this.pinned.map((p) => p.datasetIndex).filter((r) => r !== row);
    const adding = !this.isPinned(row);
    try {
      const { pinned } = await backend.invoke('inspect.pin', { runId, samples: adding ? [s.index] : [], rows: keep });
      this.pinned = pinned;
      this.keepSampleIn(pinned);
    } catch (e) {
      this.selection.showError(message(e));
    }
  }

  async load(): Promise<void> {
    const runId = this.selection.runId;
    if (!runId) return;
    try {
      const r = await backend.invoke('inspect.snapshots', { runId });
      if (r.runId !== this.selection.runId) return;
      this.pinned = r.pinned;
      this.snapshots = r.snapshots;
      this.keepSampleIn(r.pinned);
      this.epoch = this.epochs.at(-1) ?? 0;
      this.followLatest = true;
    } catch {
      /* snapshots are optional */
    }
  }

  /** A snapshot of the shown run arrived. */
  add(s: InspectSnapshot): void {
    this.snapshots = [...this.snapshots.filter((x) => !(x.epoch === s.epoch && x.datasetIndex === s.datasetIndex)), s];
    if (this.sample == null) this.sample = s.datasetIndex;
    if (this.followLatest && s.datasetIndex === this.sample) this.epoch = s.epoch;
  }

  scrub(epoch: number): void {
    this.epoch = epoch;
    this.followLatest = epoch === this.epochs.at(-1);
  }

  private keepSampleIn(pinned: PinnedSample[]): void {
    if (this.sample == null || !pinned.some((p) => p.datasetIndex === this.sample)) this.sample = pinned[0]?.datasetIndex ?? null;
  }
}
