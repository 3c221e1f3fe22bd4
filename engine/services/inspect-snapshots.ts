// Live pinning: a handful of examples, pinned by their row in the source dataset, are inspected
// after every epoch of every run on that dataset (and once before the first epoch, epoch 0). A
// snapshot holds the prediction, Grad-CAM for the true class at the automatic target layer, and
// the first convolution's feature maps. It is computed synchronously inside the trainer's epoch
// event, so the weights are exactly those at the end of the epoch and training waits for it:
// a few milliseconds per pinned example on LeNet-size models.
import type { InspectSnapshot, PinnedSample } from '../../common/ipc/domains/inspect';
import type { TrainingEvent } from '../../common/ipc/contract';
import { BadInputError } from '../../common/bad-input';
import type { RunRecord } from '../core/run-record';
import type { RunStore } from '../core/run-store';
import type { EventBus } from '../core/event-bus';
import { tf } from '../backends';
import { defaultTargetLayer, getCamMethod, listLayers, splitModel } from '../inspect';
import { argmaxOf, datasetImage, datasetInput, exampleSize, isImageRun, plain, predictProbabilities, range } from './inspect-data';

/** At most this many pinned examples per dataset (snapshots must stay cheap). */
export const MAX_PINNED = 8;
/** Snapshots kept per run (oldest epochs dropped beyond it). */
const MAX_SNAPSHOTS = 4000;
/** Runs whose snapshots are kept (the oldest run's go first): memory follows use, not history. */
const MAX_RUNS_WITH_SNAPSHOTS = 20;

export class SnapshotRecorder {
  /** Pinned source rows per dataset reference. */
  private readonly pins = new Map<string, number[]>();
  private readonly snapshots = new Map<string, InspectSnapshot[]>();
  /** Milliseconds spent on snapshots per run (tests check the overhead). */
  readonly spentMs = new Map<string, number>();

  constructor(
    private readonly runs: RunStore,
    private readonly bus: EventBus,
  ) {}

  private datasetOf(run: RunRecord): string {
    return run.metadata.dataset ?? run.dataset.id;
  }

  pin(run: RunRecord, testPositions: number[], sourceRows: number[] = []): PinnedSample[] {
    const test = run.prepared.test;
    const rows: number[] = [];
    for (const row of sourceRows) {
      if (row >= run.dataset.count) throw new BadInputError(`The dataset has ${run.dataset.count} examples; there is no row ${row}.`);
      if (!rows.includes(row)) rows.push(row);
    }
    for (const pos of testPositions) {
      if (pos >= test.count) throw new BadInputError(`The test split has ${test.count} examples; there is no example ${pos}.`);
      const row = test.indices[pos]!;
      if (!rows.includes(row)) rows.push(row);
    }
    this.pins.set(this.datasetOf(run), rows.slice(0, MAX_PINNED));
    return this.pinned(run);
  }

  pinned(run: RunRecord): PinnedSample[] {
    const rows = this.pins.get(this.datasetOf(run)) ?? [];
    return rows.map((datasetIndex) => ({
      datasetIndex,
      dataset: this.datasetOf(run),
      label: Math.round(run.dataset.y[datasetIndex] ?? -1),
      thumbnail: datasetImage(run, datasetIndex)!,
    }));
  }

  list(runId: string): InspectSnapshot[] {
    return this.snapshots.get(runId) ?? [];
  }

  /** Called with every training event, before it is sent on. */
  observe(event: TrainingEvent): void {
    if (event.type !== 'started' && event.type !== 'epoch') return;
    const run = this.runs.active(event.runId);
    if (!run) return;
    const epoch = event.type === 'started' ? 0 : event.epoch;
    const t0 = performance.now();
    try {
      for (const s of this.record(run, epoch)) this.bus.emit('inspect.snapshot', s);
    } catch {
      // A snapshot must never break training: a model the inspector cannot split is simply not recorded.
    }
    this.spentMs.set(run.runId, (this.spentMs.get(run.runId) ?? 0) + performance.now() - t0);
  }

  /** Snapshots of the pinned examples with the run's current weights (stored and returned). */
  record(run: RunRecord, epoch: number): InspectSnapshot[] {
    const rows = (this.pins.get(this.datasetOf(run)) ?? []).filter((r) => r < run.dataset.count);
    if (!rows.length || run.metadata.task !== 'classification') return [];
    const size = exampleSize(run);
    const inputs = new Float32Array(rows.length * size);
    rows.forEach((r, i) => {
      const x = datasetInput(run, r);
      if (x) inputs.set(x, i * size);
    });
    const labels = rows.map((r) => Math.round(run.dataset.y[r]!));
    const probs = predictProbabilities(run, inputs, rows.length);
    const k = probs.length / rows.length;

    let camLayer: string | null = null;
    let firstConv: string | null = null;
    if (isImageRun(run)) {
      try {
        camLayer = defaultTargetLayer(run.model);
      } catch {
        camLayer = null;
      }
      const layers = listLayers(run.model);
      firstConv = (layers.find((l) => l.hasFilters) ?? layers.find((l) => l.spatial))?.path ?? null;
    }
    const method = getCamMethod('gradcam');
    const cams = camLayer ? method.computeMany(run.model, inputs, rows.length, { layer: camLayer, classIndices: labels.map((l) => Math.min(Math.max(0, l), k - 1)) }) : null;
    let maps: { shape: number[]; data: Float32Array } | null = null;
    if (firstConv) {
      const split = splitModel(run.model, firstConv);
      const t = tf.tidy(() => split.activations(tf.tensor(inputs, [rows.length, ...run.prepared.inputShape])));
      maps = { shape: t.shape.slice(1), data: (t.dataSync() as Float32Array).slice() };
      t.dispose();
    }
    const mapSize = maps ? maps.shape.reduce((a, b) => a * b, 1) : 0;
    const out: InspectSnapshot[] = rows.map((datasetIndex, i) => {
      const fm = maps ? maps.data.subarray(i * mapSize, (i + 1) * mapSize) : null;
      const cam = cams?.[i];
      return {
        runId: run.runId,
        epoch,
        datasetIndex,
        label: labels[i]!,
        predicted: argmaxOf(probs, i * k, k),
        probabilities: plain(probs.subarray(i * k, (i + 1) * k)),
        cam: cam ? { layer: cam.layer, method: cam.method, classIndex: cam.classIndex, shape: cam.shape, data: plain(cam.cam) } : null,
        featureMaps: fm && maps ? { layer: firstConv!, shape: maps.shape, data: plain(fm), ...range(fm) } : null,
      };
    });
    const list = this.snapshots.get(run.runId) ?? [];
    // A second snapshot of the same epoch and example (pins changed mid-run) replaces the first.
    const fresh = list.filter((s) => !(s.epoch === epoch && rows.includes(s.datasetIndex)));
    fresh.push(...out);
    this.snapshots.delete(run.runId);
    this.snapshots.set(run.runId, fresh.slice(-MAX_SNAPSHOTS));
    for (const old of [...this.snapshots.keys()].slice(0, Math.max(0, this.snapshots.size - MAX_RUNS_WITH_SNAPSHOTS))) {
      this.snapshots.delete(old);
      this.spentMs.delete(old);
    }
    return out;
  }
}
