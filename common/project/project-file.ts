// The project file (*.glasswing.json): the Keras-format model, canvas positions beside it (keyed by
// layer name), the dataset reference and the training settings. Validated on open, so a damaged
// or newer file is refused with a clear message instead of half-loaded.
import type { ModelTopology } from '../model/keras-format';
import { BadInputError } from '../bad-input';

export const PROJECT_FORMAT = 'glasswing-project';
export const PROJECT_VERSION = 1;
export const PROJECT_EXTENSION = '.glasswing.json';

export interface ProjectFile {
  format: typeof PROJECT_FORMAT;
  version: number;
  name: string;
  savedAt: string;
  model: ModelTopology;
  /** Canvas positions by layer name: UI data, kept out of the Keras configs. */
  layout: Record<string, { x: number; y: number }>;
  dataset: { ref: string; labelColumn?: string } | null;
  training: Record<string, unknown>;
  /** Finished runs: settings, model snapshot, history and metrics (see RunRecordFile). */
  runs: RunRecordFile[];
}

export interface RunRecordFile {
  id: string;
  name: string;
  createdAt: string;
  dataset: string;
  backend: string;
  settings: Record<string, unknown>;
  model: ModelTopology;
  history: { epoch: number; loss: number; accuracy: number | null; valLoss: number | null; valAccuracy: number | null; learningRate?: number; samplesPerSec?: number; seconds?: number }[];
  test: unknown;
  regression?: unknown;
  stopped: boolean;
  stopReason?: string;
}

export class ProjectError extends BadInputError {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a parsed project; throws ProjectError naming what is wrong. */
export function validateProject(json: unknown, fileName: string): ProjectFile {
  if (!isObject(json)) throw new ProjectError(`${fileName} is not a Glasswing project (it is not a JSON object).`);
  if (json['format'] !== PROJECT_FORMAT) throw new ProjectError(`${fileName} is not a Glasswing project (no "format": "${PROJECT_FORMAT}").`);
  const version = json['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new ProjectError(`${fileName} has no valid version number.`);
  if (version > PROJECT_VERSION) {
    throw new ProjectError(`${fileName} was saved by a newer Glasswing (project version ${version}; this one reads up to ${PROJECT_VERSION}). Update Glasswing to open it.`);
  }
  const model = json['model'];
  if (!isObject(model) || typeof model['class_name'] !== 'string' || !isObject(model['config']) || !Array.isArray(model['config']['layers'])) {
    throw new ProjectError(`${fileName} is damaged: its "model" is not Keras model JSON.`);
  }
  const layout = json['layout'] ?? {};
  if (!isObject(layout) || Object.values(layout).some((p) => !isObject(p) || typeof p['x'] !== 'number' || typeof p['y'] !== 'number')) {
    throw new ProjectError(`${fileName} is damaged: "layout" must map layer names to {x, y}.`);
  }
  const dataset = json['dataset'] ?? null;
  if (dataset !== null && (!isObject(dataset) || typeof dataset['ref'] !== 'string')) throw new ProjectError(`${fileName} is damaged: "dataset" must be null or {ref}.`);
  const training = json['training'] ?? {};
  if (!isObject(training)) throw new ProjectError(`${fileName} is damaged: "training" must be an object.`);
  const runs = json['runs'] ?? [];
  if (!Array.isArray(runs) || runs.some((r) => !isObject(r) || typeof r['id'] !== 'string' || !Array.isArray(r['history']))) {
    throw new ProjectError(`${fileName} is damaged: "runs" must be a list of runs with an id and a history.`);
  }
  return {
    format: PROJECT_FORMAT,
    version,
    name: typeof json['name'] === 'string' ? json['name'] : fileName.replace(PROJECT_EXTENSION, ''),
    savedAt: typeof json['savedAt'] === 'string' ? json['savedAt'] : '',
    model: model as unknown as ModelTopology,
    layout: layout as ProjectFile['layout'],
    dataset: dataset as ProjectFile['dataset'],
    training,
    runs: runs as RunRecordFile[],
  };
}
