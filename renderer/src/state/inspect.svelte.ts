// Inspector state: the run being inspected, the gallery of its test predictions, the chosen sample
// and layer, their feature maps, filters and CAM, the audit and sanity reports, and the live
// snapshots of pinned samples. The only caller of the backend for the inspect domain. Replies are
// kept in $state.raw and replaced whole.
import type {
  AuditReply,
  CamReply,
  FeatureMapsReply,
  FiltersReply,
  InspectLayersReply,
  InspectRunInfo,
  InspectSnapshot,
  PinnedSample,
  SamplePrediction,
  SampleRef,
  SamplesReply,
  SanityReply,
} from '../../../common/ipc/contract';
import { backend } from '../lib/backend';
import { runs, type RunView } from './runs.svelte';
import { training } from './training.svelte';

export type InspectTab = 'activations' | 'cam' | 'timeline' | 'audit';
export type GalleryFilter = 'all' | 'wrong' | 'right';
export type GallerySort = 'index' | 'confidence-asc' | 'confidence-desc';

/** Channels per page of a wide layer's feature maps, and output channels per page of filters. */
export const MAP_PAGE = 64;
export const FILTER_PAGE = 32;
export const GALLERY_PAGE = 48;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Latest-wins: a reply to an older request than the last one started is dropped. */
class Ticket {
  private n = 0;
  next(): () => boolean {
    const mine = ++this.n;
    return () => mine === this.n;
  }
}

export class InspectState {
  runs = $state.raw<InspectRunInfo[]>([]);
  runId = $state<string | null>(null);
  /** The user picked the run: do not follow new training runs. */
  runChosen = $state(false);
  info = $state.raw<InspectLayersReply | null>(null);
  tab = $state<InspectTab>('activations');
  error = $state<string | null>(null);

  // Gallery
  filter = $state<GalleryFilter>('all');
  classIndex = $state<number | null>(null);
  sort = $state<GallerySort>('index');
  offset = $state(0);
  gallery = $state.raw<SamplesReply | null>(null);
  galleryLoading = $state(false);

  // The chosen sample
  sample = $state.raw<SampleRef | null>(null);
  sampleName = $state('');
  prediction = $state.raw<SamplePrediction | null>(null);

  // Layers
  layer = $state<string | null>(null);
  mapOffset = $state(0);
  maps = $state.raw<FeatureMapsReply | null>(null);
  mapsLoading = $state(false);
  mapsError = $state<string | null>(null);
  filterOffset = $state(0);
  filters = $state.raw<FiltersReply | null>(null);

  // CAM
  method = $state('gradcam');
  camClass = $state<number | null>(null);
  camLayer = $state<string | null>(null);
  opacity = $state(0.5);
  cam = $state.raw<CamReply | null>(null);
  camLoading = $state(false);
  camError = $state<string | null>(null);
  sanity = $state.raw<SanityReply | null>(null);
  sanityLoading = $state(false);
  sanityError = $state<string | null>(null);

  // Audit
  audit = $state.raw<AuditReply | null>(null);
  auditLoading = $state(false);
  auditError = $state<string | null>(null);

  // Live pinning
  pinned = $state.raw<PinnedSample[]>([]);
  snapshots = $state.raw<InspectSnapshot[]>([]);
  timelineSample = $state<number | null>(null);
  timelineEpoch = $state(0);
  /** The epoch slider follows new snapshots while it sits at the latest epoch. */
  private followLatest = true;

  private readonly tickets = { gallery: new Ticket(), maps: new Ticket(), filters: new Ticket(), cam: new Ticket(), info: new Ticket() };

  constructor() {
    backend.on('inspect.snapshot', (s) => this.onSnapshot(s));
  }

  get run(): InspectRunInfo | null {
    return this.runs.find((r) => r.runId === this.runId) ?? null;
  }

  get classes(): string[] {
    return this.info?.classes ?? this.run?.classes ?? [];
  }

  get layerInfo() {
    return this.info?.layers.find((l) => l.path === this.layer) ?? null;
  }

  get layerIndex(): number {
    return this.info ? this.info.layers.findIndex((l) => l.path === this.layer) : -1;
  }

  /** Epochs recorded for the timeline sample, ascending. */
  get timelineEpochs(): number[] {
    const s = new Set(this.snapshots.filter((x) => x.datasetIndex === this.timelineSample).map((x) => x.epoch));
    return [...s].sort((a, b) => a - b);
  }

  get timelineSnapshot(): InspectSnapshot | null {
    return this.snapshots.find((x) => x.datasetIndex === this.timelineSample && x.epoch === this.timelineEpoch) ?? null;
  }

  /** The chosen sample's source row, when it is a test example of this run. */
  get sampleDatasetIndex(): number | null {
    const s = this.sample;
    if (!s || !('split' in s) || s.split !== 'test') return null;
    return this.gallery?.items.find((i) => i.index === s.index)?.datasetIndex ?? this.rowsSeen.get(s.index) ?? null;
  }

  /** Test position → source row, for the gallery items seen in this run. */
  private rowsSeen = new Map<number, number>();

  /**
   * The runs the inspector offers: the project's runs (the same list, with the same names, as the
   * Train view's table) and the one training now — as the engine describes them, or from the
   * project's record for runs of an earlier session.
   */
  async refreshRuns(): Promise<void> {
    let known: InspectRunInfo[] = [];
    try {
      known = await backend.invoke('inspect.runs', {});
      this.error = null;
    } catch (e) {
      this.error = message(e);
    }
    const live = training.running ? training.runId : null;
    const fromProject = runs.runs.map((r) => known.find((k) => k.runId === r.id) ?? fromRecord(r));
    const liveInfo = live && !runs.runs.some((r) => r.id === live) ? known.find((k) => k.runId === live) : undefined;
    this.runs = liveInfo ? [...fromProject, liveInfo] : fromProject;
  }

  /**
   * Follows the workspace: the selected run, or the run training now while samples are pinned
   * (the live timeline). A run the person picked here stays until the data or model changes.
   */
  async follow(liveRunId: string | null, status: string, selectedId: string | null): Promise<void> {
    await this.refreshRuns();
    const live = liveRunId && status === 'training' && this.pinned.length > 0 ? liveRunId : null;
    const wanted = live ?? (this.runChosen ? this.runId : selectedId);
    if (wanted && wanted !== this.runId && this.runs.some((r) => r.runId === wanted)) {
      await this.selectRun(wanted, false);
      return;
    }
    if (!wanted && this.runId && !this.runs.some((r) => r.runId === this.runId)) this.clear();
    const shown = this.runs.find((r) => r.runId === this.runId);
    if (this.runId && shown?.state === 'finished' && this.shownState === 'training') {
      // The run shown while it trained has finished: everything on screen is redrawn with its final weights.
      await this.selectRun(this.runId, this.runChosen, true);
    }
    this.shownState = shown?.state ?? null;
  }

  /** The state of the shown run when it was last drawn (to redraw once it finishes). */
  private shownState: string | null = null;

  /** The data or the model changed: show the workspace's run (if any), nothing of the old ones. */
  rescope(selectedId: string | null): void {
    this.runChosen = false;
    if (selectedId) void this.selectRun(selectedId, false);
    else this.clear();
  }

  /** Nothing selected: no run, no maps, no sample. */
  clear(): void {
    this.runId = null;
    this.info = null;
    this.gallery = null;
    this.sample = null;
    this.prediction = null;
    this.maps = null;
    this.filters = null;
    this.cam = null;
    this.sanity = null;
    this.audit = null;
    this.pinned = [];
    this.snapshots = [];
    this.rowsSeen.clear();
  }

  async selectRun(runId: string, chosen = true, redraw = false): Promise<void> {
    const isNewRun = runId !== this.runId || redraw;
    this.runId = runId;
    this.runChosen = chosen;
    const ok = this.tickets.info.next();
    try {
      const info = await backend.invoke('inspect.layers', { runId });
      if (!ok()) return;
      this.info = info;
      this.error = null;
    } catch (e) {
      this.error = message(e);
      return;
    }
    if (isNewRun) {
      this.rowsSeen.clear();
      this.audit = null;
      this.sanity = null;
      if (!redraw) this.offset = 0;
      this.cam = null;
      this.maps = null;
      this.filters = null;
      this.prediction = null;
    }
    const info = this.info!;
    if (!this.layer || !info.layers.some((l) => l.path === this.layer)) this.layer = info.firstConv ?? info.layers[0]?.path ?? null;
    if (this.camLayer && !info.layers.some((l) => l.path === this.camLayer)) this.camLayer = null;
    if (this.camClass != null && this.camClass >= info.classes.length) this.camClass = null;
    await Promise.all([this.loadGallery(), this.loadSnapshots()]);
    // Keep the sample when it still exists (a new run on the same data has the same split); otherwise the first.
    const first = this.gallery?.items[0];
    const keep = this.sample && ('imageBase64' in this.sample || (this.run && this.sample.index < this.run.testCount));
    if (!keep && first) this.sample = { split: 'test', index: first.index };
    await this.loadSample();
  }

  // ---- Gallery ----
  async loadGallery(): Promise<void> {
    if (!this.runId) return;
    const ok = this.tickets.gallery.next();
    this.galleryLoading = true;
    try {
      const g = await backend.invoke('inspect.samples', {
        runId: this.runId,
        filter: this.filter,
        sort: this.sort,
        offset: this.offset,
        limit: GALLERY_PAGE,
        ...(this.classIndex != null ? { classIndex: this.classIndex } : {}),
      });
      if (!ok()) return;
      this.gallery = g;
      for (const it of g.items) this.rowsSeen.set(it.index, it.datasetIndex);
    } catch (e) {
      if (ok()) this.error = message(e);
    } finally {
      if (ok()) this.galleryLoading = false;
    }
  }

  setFilter(filter: GalleryFilter): void {
    this.filter = filter;
    this.offset = 0;
    void this.loadGallery();
  }

  setGalleryClass(classIndex: number | null): void {
    this.classIndex = classIndex;
    this.offset = 0;
    void this.loadGallery();
  }

  setSort(sort: GallerySort): void {
    this.sort = sort;
    this.offset = 0;
    void this.loadGallery();
  }

  page(delta: number): void {
    const total = this.gallery?.total ?? 0;
    const next = Math.max(0, Math.min(this.offset + delta * GALLERY_PAGE, Math.max(0, total - 1)));
    if (next === this.offset) return;
    this.offset = next - (next % GALLERY_PAGE);
    void this.loadGallery();
  }

  // ---- Sample ----
  async openSample(ref: SampleRef, name = ''): Promise<void> {
    this.sample = ref;
    this.sampleName = name;
    this.camClass = null;
    this.sanity = null;
    await this.loadSample();
  }

  async dropImage(file: File): Promise<void> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    await this.openSample({ imageBase64: btoa(bin), name: file.name }, file.name);
  }

  /** Loads what the current tab shows for the current sample. */
  async loadSample(): Promise<void> {
    const jobs: Promise<void>[] = [this.loadMaps()];
    if (this.info?.image) jobs.push(this.loadCam());
    await Promise.all(jobs);
  }

  // ---- Layers ----
  async selectLayer(path: string): Promise<void> {
    if (path === this.layer) return;
    this.layer = path;
    this.mapOffset = 0;
    this.filterOffset = 0;
    await this.loadMaps();
  }

  stepLayer(delta: number): void {
    const layers = this.info?.layers ?? [];
    if (!layers.length) return;
    const i = Math.max(0, Math.min(layers.length - 1, this.layerIndex + delta));
    void this.selectLayer(layers[i]!.path);
  }

  pageMaps(delta: number): void {
    const total = this.maps?.total ?? 0;
    const next = this.mapOffset + delta * MAP_PAGE;
    if (next < 0 || next >= total) return;
    this.mapOffset = next;
    void this.loadMaps();
  }

  pageFilters(delta: number): void {
    const total = this.filters?.total ?? 0;
    const next = this.filterOffset + delta * FILTER_PAGE;
    if (next < 0 || next >= total) return;
    this.filterOffset = next;
    void this.loadFilters();
  }

  async loadMaps(): Promise<void> {
    if (!this.runId || !this.sample || !this.layer) return;
    const ok = this.tickets.maps.next();
    this.mapsLoading = true;
    const spatial = this.layerInfo?.spatial ?? true;
    try {
      const m = await backend.invoke('inspect.featureMaps', { runId: this.runId, sample: this.sample, layer: this.layer, offset: this.mapOffset, limit: spatial ? MAP_PAGE : 4096 });
      if (!ok()) return;
      this.maps = m;
      this.prediction = m.sample;
      this.mapsError = null;
    } catch (e) {
      if (ok()) {
        this.maps = null;
        this.mapsError = message(e);
      }
    } finally {
      if (ok()) this.mapsLoading = false;
    }
    if (this.layerInfo?.hasFilters) await this.loadFilters();
    else this.filters = null;
  }

  async loadFilters(): Promise<void> {
    if (!this.runId || !this.layer) return;
    const ok = this.tickets.filters.next();
    try {
      const f = await backend.invoke('inspect.filters', { runId: this.runId, layer: this.layer, offset: this.filterOffset, limit: FILTER_PAGE });
      if (ok()) this.filters = f;
    } catch {
      if (ok()) this.filters = null;
    }
  }

  // ---- CAM ----
  async loadCam(): Promise<void> {
    if (!this.runId || !this.sample || !this.info) return;
    if (!this.info.defaultTarget && !this.camLayer) {
      this.cam = null;
      this.camError = this.info.noConvMessage;
      return;
    }
    const ok = this.tickets.cam.next();
    this.camLoading = true;
    try {
      const c = await backend.invoke('inspect.cam', {
        runId: this.runId,
        sample: this.sample,
        method: this.method,
        ...(this.camClass != null ? { classIndex: this.camClass } : {}),
        ...(this.camLayer ? { layer: this.camLayer } : {}),
      });
      if (!ok()) return;
      this.cam = c;
      this.prediction = c.sample;
      this.camError = null;
    } catch (e) {
      if (ok()) {
        this.cam = null;
        this.camError = message(e);
      }
    } finally {
      if (ok()) this.camLoading = false;
    }
  }

  setMethod(method: string): void {
    this.method = method;
    this.sanity = null;
    void this.loadCam();
  }

  setCamClass(classIndex: number | null): void {
    this.camClass = classIndex;
    this.sanity = null;
    void this.loadCam();
  }

  setCamLayer(layer: string | null): void {
    this.camLayer = layer;
    this.sanity = null;
    void this.loadCam();
  }

  async runSanity(): Promise<void> {
    if (!this.runId || !this.sample) return;
    this.sanityLoading = true;
    this.sanityError = null;
    try {
      this.sanity = await backend.invoke('inspect.sanity', {
        runId: this.runId,
        sample: this.sample,
        method: this.method,
        ...(this.cam ? { classIndex: this.cam.classIndex } : {}),
        ...(this.camLayer ? { layer: this.camLayer } : {}),
      });
    } catch (e) {
      this.sanityError = message(e);
    } finally {
      this.sanityLoading = false;
    }
  }

  // ---- Audit ----
  async runAudit(): Promise<void> {
    if (!this.runId) return;
    this.auditLoading = true;
    this.auditError = null;
    try {
      this.audit = await backend.invoke('inspect.audit', { runId: this.runId, top: 24 });
    } catch (e) {
      this.auditError = message(e);
    } finally {
      this.auditLoading = false;
    }
  }

  // ---- Live pinning ----
  isPinned(datasetIndex: number | null): boolean {
    return datasetIndex != null && this.pinned.some((p) => p.datasetIndex === datasetIndex);
  }

  async togglePin(): Promise<void> {
    const s = this.sample;
    const row = this.sampleDatasetIndex;
    if (!this.runId || !s || !('split' in s) || s.split !== 'test' || row == null) return;
    const keep = this.pinned.map((p) => p.datasetIndex).filter((r) => r !== row);
    const adding = !this.isPinned(row);
    try {
      const { pinned } = await backend.invoke('inspect.pin', { runId: this.runId, samples: adding ? [s.index] : [], rows: keep });
      this.pinned = pinned;
      if (this.timelineSample == null || !pinned.some((p) => p.datasetIndex === this.timelineSample)) this.timelineSample = pinned[0]?.datasetIndex ?? null;
    } catch (e) {
      this.error = message(e);
    }
  }

  async loadSnapshots(): Promise<void> {
    if (!this.runId) return;
    try {
      const r = await backend.invoke('inspect.snapshots', { runId: this.runId });
      if (r.runId !== this.runId) return;
      this.pinned = r.pinned;
      this.snapshots = r.snapshots;
      if (this.timelineSample == null || !r.pinned.some((p) => p.datasetIndex === this.timelineSample)) this.timelineSample = r.pinned[0]?.datasetIndex ?? null;
      const epochs = this.timelineEpochs;
      this.timelineEpoch = epochs.at(-1) ?? 0;
      this.followLatest = true;
    } catch {
      /* snapshots are optional */
    }
  }

  private onSnapshot(s: InspectSnapshot): void {
    if (s.runId !== this.runId) {
      // A new run recording pinned samples: follow it when the user has not picked a run.
      if (!this.runChosen) {
        this.pendingLive.push(s);
        void this.adoptLive(s.runId);
      }
      return;
    }
    this.snapshots = [...this.snapshots.filter((x) => !(x.epoch === s.epoch && x.datasetIndex === s.datasetIndex)), s];
    if (this.timelineSample == null) this.timelineSample = s.datasetIndex;
    if (this.followLatest && s.datasetIndex === this.timelineSample) this.timelineEpoch = s.epoch;
  }

  private pendingLive: InspectSnapshot[] = [];
  private adopting: string | null = null;

  private async adoptLive(runId: string): Promise<void> {
    if (this.adopting === runId) return;
    this.adopting = runId;
    await this.refreshRuns();
    if (this.runs.some((r) => r.runId === runId)) await this.selectRun(runId, false);
    const pending = this.pendingLive.filter((x) => x.runId === runId);
    this.pendingLive = [];
    for (const s of pending) this.onSnapshot(s);
    this.adopting = null;
  }

  scrub(epoch: number): void {
    this.timelineEpoch = epoch;
    this.followLatest = epoch === this.timelineEpochs.at(-1);
  }
}

/** A run of the project the engine does not list (an earlier session's), as the inspector shows it. */
function fromRecord(r: RunView): InspectRunInfo {
  const test = r.test as { accuracy?: number; classes?: string[]; examples?: number } | null;
  return {
    runId: r.id,
    name: r.name,
    createdAt: r.createdAt,
    state: 'finished',
    dataset: { ref: r.dataset, name: r.datasetName, kind: 'images', task: r.regression ? 'regression' : 'classification' },
    model: { name: r.modelName, totalParams: 0 },
    settings: r.settings,
    backend: r.backend,
    epochs: r.history.length,
    classes: test?.classes ?? [],
    inputShape: [],
    testAccuracy: test?.accuracy ?? null,
    testCount: test?.examples ?? 0,
    stopped: r.stopped,
    message: null,
    notes: [],
    image: true,
  };
}

export const inspect = new InspectState();
