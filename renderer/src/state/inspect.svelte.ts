// The inspector: which run is inspected, its layers, the chosen sample and its prediction, and the
// panels that look at them (gallery, layers, CAM, audit, timeline — each in state/inspect/). The
// only caller of the backend for the run picker; replies are kept in $state.raw and replaced whole.
import type { InspectLayersReply, InspectRunInfo, InspectSnapshot, SamplePrediction, SampleRef } from '../../../common/ipc/contract';
import { backend } from '../lib/backend';
import { runs, type RunView } from './runs.svelte';
import { training } from './training.svelte';
import { AuditState } from './inspect/audit.svelte';
import { CamState } from './inspect/cam.svelte';
import { GalleryState } from './inspect/gallery.svelte';
import { LayersState } from './inspect/layers.svelte';
import { message, type InspectSelection } from './inspect/selection';
import { TimelineState } from './inspect/timeline.svelte';
import { Ticket } from './inspect/ticket';

export type InspectTab = 'activations' | 'cam' | 'timeline' | 'audit';

export class InspectState implements InspectSelection {
  runs = $state.raw<InspectRunInfo[]>([]);
  runId = $state<string | null>(null);
  /** The user picked the run: do not follow new training runs. */
  runChosen = $state(false);
  info = $state.raw<InspectLayersReply | null>(null);
  tab = $state<InspectTab>('activations');
  error = $state<string | null>(null);

  // The chosen sample
  sample = $state.raw<SampleRef | null>(null);
  sampleName = $state('');
  prediction = $state.raw<SamplePrediction | null>(null);

  readonly gallery = new GalleryState(this);
  readonly layers = new LayersState(this);
  readonly cam = new CamState(this);
  readonly audit = new AuditState(this);
  readonly timeline = new TimelineState(this);

  private readonly infoTicket = new Ticket();
  /** The state of the shown run when it was last drawn (to redraw once it finishes). */
  private shownState: string | null = null;

  constructor() {
    backend.on('inspect.snapshot', (s) => this.onSnapshot(s));
  }

  get run(): InspectRunInfo | null {
    return this.runs.find((r) => r.runId === this.runId) ?? null;
  }

  get classes(): string[] {
    return this.info?.classes ?? this.run?.classes ?? [];
  }

  get sampleDatasetIndex(): number | null {
    const s = this.sample;
    if (!s || !('split' in s) || s.split !== 'test') return null;
    return this.gallery.rowOf(s.index);
  }

  showPrediction(p: SamplePrediction): void {
    this.prediction = p;
  }

  showError(text: string): void {
    this.error = text;
  }

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
    const live = liveRunId && status === 'training' && this.timeline.pinned.length > 0 ? liveRunId : null;
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
    this.sample = null;
    this.prediction = null;
    this.gallery.clear();
    this.layers.clear();
    this.cam.clear();
    this.audit.clear();
    this.timeline.clear();
  }

  async selectRun(runId: string, chosen = true, redraw = false): Promise<void> {
    const isNewRun = runId !== this.runId || redraw;
    this.runId = runId;
    this.runChosen = chosen;
    const ok = this.infoTicket.next();
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
      this.gallery.reset(redraw);
      this.audit.clear();
      this.cam.clear();
      this.layers.clear();
      this.prediction = null;
    }
    this.layers.adopt();
    this.cam.adopt();
    await Promise.all([this.gallery.load(), this.timeline.load()]);
    // Keep the sample when it still exists (a new run on the same data has the same split); otherwise the first.
    const first = this.gallery.reply?.items[0];
    const keep = this.sample && ('imageBase64' in this.sample || (this.run && this.sample.index < this.run.testCount));
    if (!keep && first) this.sample = { split: 'test', index: first.index };
    await this.loadSample();
  }

  async openSample(ref: SampleRef, name = ''): Promise<void> {
    this.sample = ref;
    this.sampleName = name;
    // The last sample's label and prediction must not stand under this one's name (until it loads, or if it fails).
    this.prediction = null;
    this.cam.newSample();
    await this.loadSample();
  }

  async dropImage(file: File): Promise<void> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    await this.openSample({ imageBase64: btoa(bin), name: file.name }, file.name);
  }

  /** Loads what the panels show for the current sample. */
  async loadSample(): Promise<void> {
    const jobs: Promise<void>[] = [this.layers.load()];
    if (this.info?.image) jobs.push(this.cam.load());
    await Promise.all(jobs);
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
    this.timeline.add(s);
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
