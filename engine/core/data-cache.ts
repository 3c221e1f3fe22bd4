// Datasets and their prepared splits, shared by the runs that use them and released when none
// does. Two runs on MNIST with the same split share one copy; a run evicted from memory gives its
// references back, so memory follows the runs held, not the runs ever trained.
import type { TrainingSettings } from '../../common/ipc/contract';
import { DATA_READING_KEYS } from '../../common/ipc/contract';
import { loadDataset, type LoadOptions } from '../datasets/load';
import { isBuiltinRef } from '../datasets/builtin';
import { Places } from '../files/places';
import type { Dataset } from '../datasets/dataset';
import { prepareData, type PreparedData } from '../datasets/prepare';

/** How a dataset is read: the reading part of training settings, as stored with a run. */
export type ReadingOptions = Pick<TrainingSettings, (typeof DATA_READING_KEYS)[number]>;

export function readingOptions(settings: Partial<TrainingSettings>): ReadingOptions {
  const out: Record<string, unknown> = {};
  for (const key of DATA_READING_KEYS) if (settings[key] !== undefined) out[key] = settings[key];
  return out as ReadingOptions;
}

export function loadOptionsOf(reading: ReadingOptions, base: LoadOptions = {}): LoadOptions {
  return {
    ...base,
    ...(reading.labelColumn !== undefined ? { labelColumn: reading.labelColumn } : {}),
    ...(reading.categorical ? { categorical: reading.categorical } : {}),
    ...(reading.ignore ? { ignore: reading.ignore } : {}),
    ...(reading.badValues ? { badValues: reading.badValues } : {}),
    ...(reading.imageHeight ? { height: reading.imageHeight } : {}),
    ...(reading.imageWidth ? { width: reading.imageWidth } : {}),
    ...(reading.color ? { color: reading.color } : {}),
  };
}

/** A dataset and a prepared split of it, held for as long as release() is not called. */
export interface DataLease {
  dataset: Dataset;
  prepared: PreparedData;
  release(): void;
}

interface Entry<T> {
  value: T;
  refs: number;
}

export class DataCache {
  private readonly datasets = new Map<string, Entry<Dataset>>();
  private readonly prepared = new Map<string, Entry<PreparedData>>();

  constructor(
    private readonly base: LoadOptions = {},
    private readonly places: Places = new Places(),
  ) {}

  /** Loads (or reuses) a dataset, through the Places policy; not held until lease(). */
  async load(ref: string, reading: ReadingOptions): Promise<Dataset> {
    const key = datasetKey(ref, reading);
    const held = this.datasets.get(key);
    if (held) return held.value;
    const source = isBuiltinRef(ref) ? ref : await this.places.readable(ref, 'data');
    return loadDataset(source, loadOptionsOf(reading, this.base));
  }

  /** Holds a dataset and its split (seeded) until the lease is released. */
  lease(ref: string, reading: ReadingOptions, dataset: Dataset, split: { validation: number; test: number; seed: number }, variant = ''): DataLease {
    // `variant` tells apart the same data read for another model (a file's own image scaling).
    const dKey = `${datasetKey(ref, reading)}${variant ? `|${variant}` : ''}`;
    const pKey = `${dKey}|${split.validation}|${split.test}|${split.seed}`;
    const d = this.datasets.get(dKey) ?? { value: dataset, refs: 0 };
    d.refs++;
    this.datasets.set(dKey, d);
    let p = this.prepared.get(pKey);
    if (!p) {
      p = { value: prepareData(d.value, split.validation, split.test, split.seed), refs: 0 };
      this.prepared.set(pKey, p);
    }
    p.refs++;
    const entry = p;
    let released = false;
    return {
      dataset: d.value,
      prepared: entry.value,
      release: () => {
        if (released) return;
        released = true;
        if (--entry.refs === 0) this.prepared.delete(pKey);
        if (--d.refs === 0) this.datasets.delete(dKey);
      },
    };
  }

  /** Datasets and prepared splits held now (tests and the memory bench look). */
  get held(): { datasets: number; prepared: number } {
    return { datasets: this.datasets.size, prepared: this.prepared.size };
  }
}

function datasetKey(ref: string, reading: ReadingOptions): string {
  const sorted = Object.fromEntries(Object.entries(reading).sort(([a], [b]) => a.localeCompare(b)));
  return `${ref}|${JSON.stringify(sorted)}`;
}
