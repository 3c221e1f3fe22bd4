// The chosen layer: its feature maps for the chosen sample (paged for wide layers) and, for a
// convolution, its filters (paged by output channel).
import type { FeatureMapsReply, FiltersReply } from '../../../../common/ipc/contract';
import { backend } from '../../lib/backend';
import { message, type InspectSelection } from './selection';
import { Ticket } from './ticket';

/** Channels per page of a wide layer's feature maps, and output channels per page of filters. */
export const MAP_PAGE = 64;
export const FILTER_PAGE = 32;

export class LayersState {
  layer = $state<string | null>(null);
  mapOffset = $state(0);
  maps = $state.raw<FeatureMapsReply | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  filterOffset = $state(0);
  filters = $state.raw<FiltersReply | null>(null);

  private readonly tickets = { maps: new Ticket(), filters: new Ticket() };

  constructor(private readonly selection: InspectSelection) {}

  get current() {
    return this.selection.info?.layers.find((l) => l.path === this.layer) ?? null;
  }

  get index(): number {
    const info = this.selection.info;
    return info ? info.layers.findIndex((l) => l.path === this.layer) : -1;
  }

  /** The run's layers are known: keep the chosen layer if it exists, else its first convolution. */
  adopt(): void {
    const info = this.selection.info;
    if (!info) return;
    if (!this.layer || !info.layers.some((l) => l.path === this.layer)) this.layer = info.firstConv ?? info.layers[0]?.path ?? null;
  }

  clear(): void {
    this.maps = null;
    this.filters = null;
  }

  async select(path: string): Promise<void> {
    if (path === this.layer) return;
    this.layer = path;
    this.mapOffset = 0;
    this.filterOffset = 0;
    await this.load();
  }

  step(delta: number): void {
    const layers = this.selection.info?.layers ?? [];
    if (!layers.length) return;
    const i = Math.max(0, Math.min(layers.length - 1, this.index + delta));
    void this.select(layers[i]!.path);
  }

  pageMaps(delta: number): void {
    const total = this.maps?.total ?? 0;
    const next = this.mapOffset + delta * MAP_PAGE;
    if (next < 0 || next >= total) return;
    this.mapOffset = next;
    void this.load();
  }

  pageFilters(delta: number): void {
    const total = this.filters?.total ?? 0;
    const next = this.filterOffset + delta * FILTER_PAGE;
    if (next < 0 || next >= total) return;
    this.filterOffset = next;
    void this.loadFilters();
  }

  /** The maps of the chosen layer for the chosen sample, then its filters if it has any. */
  async load(): Promise<void> {
    const { runId, sample } = this.selection;
    if (!runId || !sample || !this.layer) return;
    const ok = this.tickets.maps.next();
    this.loading = true;
    const spatial = this.current?.spatial ?? true;
    try {
      const m = await backend.invoke('inspect.featureMaps', { runId, sample, layer: this.layer, offset: this.mapOffset, limit: spatial ? MAP_PAGE : 4096 });
      if (!ok()) return;
      this.maps = m;
      this.selection.showPrediction(m.sample);
      this.error = null;
    } catch (e) {
      if (ok()) {
        this.maps = null;
        this.error = message(e);
      }
    } finally {
      if (ok()) this.loading = false;
    }
    if (this.current?.hasFilters) await this.loadFilters();
    else this.filters = null;
  }

  async loadFilters(): Promise<void> {
    const runId = this.selection.runId;
    if (!runId || !this.layer) return;
    const ok = this.tickets.filters.next();
    try {
      const f = await backend.invoke('inspect.filters', { runId, layer: this.layer, offset: this.filterOffset, limit: FILTER_PAGE });
      if (ok()) this.filters = f;
    } catch {
      if (ok()) this.filters = null;
    }
  }
}
