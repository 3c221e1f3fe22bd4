// What a run's results belong to: the data (its reference and how it was read) and the model (its
// Keras JSON). Views show a run's results only while the workspace has the same data and model,
// so switching either never leaves another model's numbers on screen.
import type { ModelTopology } from '../model/keras-format';
import { graphFromTopology, topologyFromGraph } from '../model/graph';
import { DATA_READING_KEYS, type TrainingSettings } from '../ipc/domains/training';

/** A stable JSON text: object keys sorted at every level. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** FNV-1a, 32 bits, as hex: short keys for equality checks (not for security). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The data part: the reference and the reading options (label, categories, image size…). */
export function dataScope(datasetRef: string, settings: Partial<TrainingSettings>): string {
  const reading: Record<string, unknown> = {};
  for (const k of DATA_READING_KEYS) if (settings[k] !== undefined) reading[k] = settings[k];
  return `${datasetRef}#${fnv1a(stableJson(reading))}`;
}

/**
 * The model part: its layers and their settings (layer names included; canvas positions not), in
 * the form the canvas writes. A model file's topology (a functional Model from an import) and the
 * canvas's rendering of it (a Sequential when it is a plain stack) are the same model: both are
 * read through the canvas's graph first, so a run trained from the file belongs to the canvas
 * showing it. (The graph's own topology is a fixed point of that round trip.)
 */
export function modelScope(topology: ModelTopology): string {
  let canonical = topology;
  try {
    canonical = topologyFromGraph(graphFromTopology(topology));
  } catch {
    // A topology the canvas cannot read is keyed as it is.
  }
  return fnv1a(stableJson(canonical.config.layers));
}

export function runScope(datasetRef: string, settings: Partial<TrainingSettings>, topology: ModelTopology): string {
  return `${dataScope(datasetRef, settings)}|${modelScope(topology)}`;
}
