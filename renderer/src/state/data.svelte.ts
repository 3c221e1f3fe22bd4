// The data importer: what is being looked at (a built-in sample, a file or folder on disk, or an
// upload), how it is read, what the engine sees in it, and progress while it decodes.
import { BUILTIN_DATASET_IDS, DATA_READING_KEYS, type DatasetInfo, type DatasetInspection, type DatasetOptions, type DatasetProgressEvent, type TrainingSettings } from '../../../common/ipc/contract';
import { untrack } from 'svelte';
import { backend } from '../lib/backend';
import { uploadFiles, type UploadFile } from '../lib/upload';
export type { UploadFile };
import { workbench } from './workbench.svelte';

/** The name the data goes by everywhere: a built-in sample's own ("Iris flowers"), else the file's or folder's. */
export function dataName(ref: string | null, inspected: string): string {
  return (ref && BUILTIN_DATASET_IDS.includes(ref) && workbench.datasets.find((d) => d.id === ref)?.name) || inspected;
}

/** The data as one of the choices to train on. */
function datasetInfo(ref: string, i: DatasetInspection, inputShape: number[]): DatasetInfo {
  return {
    id: ref,
    name: i.name,
    description: `${i.count.toLocaleString('en-US')} ${i.kind === 'images' ? 'images' : 'rows'} · ${i.task ?? ''}${i.classes.length ? ` · ${i.classes.length} classes` : ''}`,
    kind: i.kind,
    examples: i.count,
    inputShape,
    classes: i.classes.map((c) => c.name),
    task: i.task ?? 'classification',
  };
}

/** How to read data as training settings say (the inverse of DataState.readingOptions). */
function optionsFrom(s: Partial<TrainingSettings>): DatasetOptions {
  const o: DatasetOptions = { labelColumn: s.labelColumn, categorical: s.categorical, ignore: s.ignore, badValues: s.badValues, height: s.imageHeight, width: s.imageWidth, color: s.color };
  for (const k of Object.keys(o) as (keyof DatasetOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export class DataState {
  ref = $state<string | null>(null);
  options = $state<DatasetOptions>({});
  inspection = $state.raw<DatasetInspection | null>(null);
  busy = $state<'idle' | 'uploading' | 'inspecting'>('idle');
  progress = $state.raw<DatasetProgressEvent | null>(null);
  uploaded = $state({ done: 0, total: 0 });
  error = $state<string | null>(null);

  constructor() {
    backend.on('dataset.progress', (p) => {
      if (p.ref === this.ref) this.progress = p;
    });
  }

  async inspect(ref: string, options: DatasetOptions = this.options): Promise<void> {
    const mine = ++this.inspecting;
    // Another source's preview must not stand under this one while it is read (the same source
    // read with other options keeps its preview until the new one arrives).
    if (this.inspection?.ref !== ref) this.inspection = null;
    this.ref = ref;
    this.options = options;
    this.error = null;
    this.progress = null;
    this.busy = 'inspecting';
    try {
      const reply = await backend.invoke('datasets.inspect', { ref, options: $state.snapshot(options) as DatasetOptions });
      // A reply for a source chosen before the last one is dropped.
      if (mine === this.inspecting) this.inspection = reply;
    } catch (e) {
      if (mine === this.inspecting) {
        this.inspection = null;
        this.error = (e as Error).message;
      }
    } finally {
      if (mine === this.inspecting) this.busy = 'idle';
    }
  }

  /** Shows no source: its preview, error and progress go, and a reply still on its way is ignored. */
  forgetSource(): void {
    this.inspecting++;
    Object.assign(this, { ref: null, inspection: null, error: null, progress: null, busy: 'idle' });
  }

  /** Counts inspections started: only the last one's reply is shown. */
  private inspecting = 0;

  /** Re-reads the same source with one option changed (label, categorical, ignore, size). */
  async reinspect(change: Partial<DatasetOptions>): Promise<void> {
    if (this.ref) await this.inspect(this.ref, { ...$state.snapshot(this.options), ...change } as DatasetOptions);
  }

  async cancel(): Promise<void> {
    if (this.ref) await backend.invoke('datasets.cancel', { ref: this.ref });
  }

  /** Sends files to the engine (browsers and sandboxed windows cannot pass paths), then inspects. */
  async upload(name: string, files: UploadFile[]): Promise<void> {
    this.error = null;
    this.inspection = null;
    this.busy = 'uploading';
    this.uploaded = { done: 0, total: files.length };
    try {
      const ref = await uploadFiles(name, files, (done, total) => (this.uploaded = { done, total }));
      this.busy = 'idle';
      await this.inspect(ref, {});
    } catch (e) {
      this.error = (e as Error).message;
      this.busy = 'idle';
    }
  }

  /** Makes the inspected data the one to train on. */
  use(): void {
    const i = this.inspection;
    if (!i || !i.ok || !this.ref || !i.inputShape) return;
    // A built-in sample is already one of the choices, under its own name: select it, add no second card.
    if (workbench.datasets.some((d) => d.id === this.ref && BUILTIN_DATASET_IDS.includes(d.id))) return void workbench.chooseDataset(this.ref);
    void workbench.useDataset(datasetInfo(this.ref, i, i.inputShape), this.readingOptions());
  }

  /**
   * Reads a project's own data again (opening a project, continuing kept work) and makes it the
   * data to train on as the project read it: the project's settings and model stay as they were.
   * Returns why it could not be read, or null.
   */
  async reopen(ref: string, settings: Partial<TrainingSettings>): Promise<string | null> {
    workbench.missingData = null;
    if (BUILTIN_DATASET_IDS.includes(ref)) {
      // No other source's preview or error stays in the Data view under the project's data.
      if (this.ref !== ref) this.forgetSource();
      workbench.datasetId = ref;
      return null;
    }
    // Read again even when the page has it: the project's reading options (label, ignored columns) may differ.
    await this.inspect(ref, optionsFrom(settings));
    const i = this.inspection;
    if (this.ref !== ref || !i?.ok || !i.inputShape) {
      const problem = this.error ?? i?.problems.find((x) => x.severity === 'error')?.message ?? `${ref} could not be read.`;
      // The project keeps its data: nothing trains on other data in its place, and a save writes the same reference back.
      workbench.missingData = { ref, problem };
      workbench.datasetId = ref;
      return problem;
    }
    workbench.datasets = [...workbench.datasets.filter((d) => d.id !== ref), datasetInfo(ref, i, i.inputShape)];
    workbench.datasetId = ref;
    return null;
  }

  /** How training reads the inspected data: the options chosen here, as training settings. */
  readingOptions(): Partial<TrainingSettings> {
    const o = $state.snapshot(this.options) as DatasetOptions;
    return {
      labelColumn: o.labelColumn ?? this.inspection?.labelColumn ?? undefined,
      categorical: o.categorical,
      ignore: o.ignore,
      badValues: o.badValues,
      imageHeight: o.height,
      imageWidth: o.width,
      color: o.color,
    };
  }

  /**
   * Whether training already reads the inspected data exactly so (same source, same label and
   * options): a label or option changed here must be "used" again before training sees it.
   */
  inUse(): boolean {
    if (!this.inspection || workbench.datasetId !== this.ref) return false;
    // The built-in samples are read one way only.
    if (BUILTIN_DATASET_IDS.includes(this.ref)) return true;
    const mine = this.readingOptions() as Record<string, unknown>;
    const training = workbench.settings as unknown as Record<string, unknown>;
    return DATA_READING_KEYS.every((k) => JSON.stringify(mine[k] ?? null) === JSON.stringify(training[k] ?? null));
  }
}

export const data = new DataState();

// Once other data is chosen in place of a project's missing data, the Data view stops showing why
// that data could not be read.
$effect.root(() => {
  let missing: string | null = null;
  $effect(() => {
    const now = workbench.missingData?.ref ?? null;
    untrack(() => {
      if (!now && missing && data.ref === missing && data.error) data.forgetSource();
    });
    missing = now;
  });
});
