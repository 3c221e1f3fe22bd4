// A run as every picker names it: its one name, its model and its data set, and how it ended.
import type { RunView } from '../state/runs.svelte';

export function runLabel(r: Pick<RunView, 'name' | 'modelName' | 'datasetName' | 'history' | 'test' | 'regression' | 'stopped'>): string {
  const test = r.test as { accuracy?: number } | null;
  const reg = r.regression as { r2?: number } | null;
  const result = test?.accuracy !== undefined ? ` · test ${(test.accuracy * 100).toFixed(1)}%` : reg?.r2 !== undefined ? ` · R² ${reg.r2.toFixed(3)}` : '';
  return `${r.name} · ${r.modelName} on ${r.datasetName} · ${r.history.length} epoch${r.history.length === 1 ? '' : 's'}${r.stopped ? ' (stopped)' : ''}${result}`;
}
