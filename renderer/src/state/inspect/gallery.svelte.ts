// The gallery of the run's test predictions: filter (all / wrong / right), true class, order and
// page, and the test position → source row of every item seen (pinning needs the row).
import type { SamplesReply } from '../../../../common/ipc/contract';
import { backend } from '../../lib/backend';
import { message, type InspectSelection } from './selection';
import { Ticket } from './ticket';

export type GalleryFilter = 'all' | 'wrong' | 'right';
export type GallerySort = 'index' | 'confidence-asc' | 'confidence-desc';
export const GALLERY_PAGE = 48;

export class GalleryState {
  filter = $state<GalleryFilter>('all');
  classIndex = $state<number | null>(null);
  sort = $state<GallerySort>('index');
  offset = $state(0);
  reply = $state.raw<SamplesReply | null>(null);
  loading = $state(false);

  private readonly ticket = new Ticket();
  /** Test position → source row, for the gallery items seen in this run. */
  private readonly rowsSeen = new Map<number, number>();

  constructor(private readonly selection: InspectSelection) {}

  /** The source row of a test position, when the gallery has shown it. */
  rowOf(testIndex: number): number | null {
    return this.reply?.items.find((i) => i.index === testIndex)?.datasetIndex ?? this.rowsSeen.get(testIndex) ?? null;
  }

  /** A new run: nothing seen yet; the page starts over unless the same run is redrawn. */
  reset(keepPage: boolean): void {
    this.rowsSeen.clear();
    if (!keepPage) this.offset = 0;
  }

  clear(): void {
    this.reply = null;
    this.rowsSeen.clear();
  }

  async load(): Promise<void> {
    const runId = this.selection.runId;
    if (!runId) return;
    const ok = this.ticket.next();
    this.loading = true;
    try {
      const g = await backend.invoke('inspect.samples', {
        runId,
        filter: this.filter,
        sort: this.sort,
        offset: this.offset,
        limit: GALLERY_PAGE,
        ...(this.classIndex != null ? { classIndex: this.classIndex } : {}),
      });
      if (!ok()) return;
      this.reply = g;
      for (const it of g.items) this.rowsSeen.set(it.index, it.datasetIndex);
    } catch (e) {
      if (ok()) this.selection.showError(message(e));
    } finally {
      if (ok()) this.loading = false;
    }
  }

  setFilter(filter: GalleryFilter): void {
    this.filter = filter;
    this.offset = 0;
    void this.load();
  }

  setClass(classIndex: number | null): void {
    this.classIndex = classIndex;
    this.offset = 0;
    void this.load();
  }

  setSort(sort: GallerySort): void {
    this.sort = sort;
    this.offset = 0;
    void this.load();
  }

  turnPage(delta: number): void {
    const total = this.reply?.total ?? 0;
    const next = Math.max(0, Math.min(this.offset + delta * GALLERY_PAGE, Math.max(0, total - 1)));
    if (next === this.offset) return;
    this.offset = next - (next % GALLERY_PAGE);
    void this.load();
  }
}
