// The project file (*.glasswing.json): the Keras-format model, canvas positions beside it (keyed by
// layer name), the dataset reference, the training settings and the finished runs. One zod schema
// describes it; the contract carries it with that schema, and files are checked against it on open,
// so a damaged or newer file is refused with a message naming the problem instead of half-loaded.
import { z } from 'zod';
import type { ModelTopology } from '../model/keras-format';
import type { EpochRecord, EvaluationMetrics, RegressionMetrics, TrainingSettings } from '../ipc/domains/training';
import { BadInputError } from '../bad-input';

export const PROJECT_FORMAT = 'glasswing-project';
export const PROJECT_VERSION = 1;
export const PROJECT_EXTENSION = '.glasswing.json';
/** Projects larger than this are refused before parsing (they hold models and histories, not data). */
export const PROJECT_MAX_BYTES = 64 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const topology = z.custom<ModelTopology>(
  (v) => isObject(v) && typeof v['class_name'] === 'string' && isObject(v['config']) && Array.isArray(v['config']['layers']),
  { message: 'its "model" is not Keras model JSON' },
);

const historyRow = z
  .object({
    epoch: z.number(),
    loss: z.number().nullable(),
    accuracy: z.number().nullable(),
    valLoss: z.number().nullable(),
    valAccuracy: z.number().nullable(),
    learningRate: z.number().optional(),
    samplesPerSec: z.number().optional(),
    seconds: z.number().optional(),
  })
  .passthrough();

export const runRecordFileSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().max(200),
    createdAt: z.string().max(100),
    dataset: z.string().max(4096),
    /** The data set's and the model's names as the run was made (older files lack them). */
    datasetName: z.string().max(500).optional(),
    modelName: z.string().max(200).optional(),
    backend: z.string().max(100),
    settings: z.custom<TrainingSettings>((v) => isObject(v)),
    model: topology,
    history: z.array(historyRow),
    test: z.custom<EvaluationMetrics | null>((v) => v === null || v === undefined || isObject(v)),
    regression: z.custom<RegressionMetrics | null>((v) => v === null || v === undefined || isObject(v)).optional(),
    stopped: z.boolean(),
    stopReason: z.string().optional(),
  })
  .passthrough();
export type RunRecordFile = z.infer<typeof runRecordFileSchema>;

export const projectFileSchema = z
  .object({
    format: z.literal(PROJECT_FORMAT),
    version: z.number().int().min(1),
    name: z.string().max(500),
    savedAt: z.string().max(100),
    model: topology,
    /** Canvas positions by layer name: UI data, kept out of the Keras configs. */
    layout: z.record(z.string(), z.object({ x: z.number(), y: z.number() }).passthrough()),
    dataset: z.object({ ref: z.string().max(4096), labelColumn: z.string().max(500).optional() }).passthrough().nullable(),
    /** The built-in template the model still equals (its runs are named after it; other data re-fits it). */
    template: z.string().min(1).max(100).optional(),
    /** The model file (ONNX, Keras, TF.js) the model was opened from and still equals: training starts from its weights. */
    modelFile: z
      .object({
        path: z.string().min(1).max(4096),
        name: z.string().max(500),
        preprocess: z.enum(['imagenet', 'unit', 'none']).optional(),
        classesFile: z.string().min(1).max(4096).optional(),
        classesName: z.string().max(500).optional(),
      })
      .strict()
      .optional(),
    training: z.record(z.string(), z.unknown()),
    runs: z.array(runRecordFileSchema),
  })
  .strict();
export type ProjectFile = z.infer<typeof projectFileSchema>;

export type { EpochRecord };

export class ProjectError extends BadInputError {}

/** What each top-level field is, in the words of the message that says it is damaged. */
const FIELD_MESSAGES: Record<string, string> = {
  model: 'its "model" is not Keras model JSON',
  layout: '"layout" must map layer names to {x, y}',
  dataset: '"dataset" must be null or {ref}',
  training: '"training" must be an object',
  runs: '"runs" must be a list of runs with an id and a history',
};

/** Checks a parsed project; throws ProjectError naming what is wrong. */
export function validateProject(json: unknown, fileName: string): ProjectFile {
  if (!isObject(json)) throw new ProjectError(`${fileName} is not a Glasswing project (it is not a JSON object).`);
  if (json['format'] !== PROJECT_FORMAT) throw new ProjectError(`${fileName} is not a Glasswing project (no "format": "${PROJECT_FORMAT}").`);
  const version = json['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new ProjectError(`${fileName} has no valid version number.`);
  if (version > PROJECT_VERSION) {
    throw new ProjectError(`${fileName} was saved by a newer Glasswing (project version ${version}; this one reads up to ${PROJECT_VERSION}). Update Glasswing to open it.`);
  }
  // Older files may lack the optional parts; a name falls back to the file's.
  const filled = {
    ...json,
    name: typeof json['name'] === 'string' ? json['name'] : fileName.replace(PROJECT_EXTENSION, ''),
    savedAt: typeof json['savedAt'] === 'string' ? json['savedAt'] : '',
    layout: json['layout'] ?? {},
    dataset: json['dataset'] ?? null,
    training: json['training'] ?? {},
    runs: json['runs'] ?? [],
  };
  const parsed = projectFileSchema.safeParse(filled);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const what = FIELD_MESSAGES[field] ?? `${issue.path.join('.') || 'the file'}: ${issue.message}`;
    throw new ProjectError(`${fileName} is damaged: ${what}.`);
  }
  return parsed.data;
}
