// What a model source stands for: a template fitted to the data set's input and classes, the
// topology the person built, or a model file (a TF.js folder, or a PyTorch/Keras file imported by
// engine/import) whose weights training starts from.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSource } from '../../common/ipc/contract';
import type { ModelTopology } from '../../common/model/keras-format';
import { adaptTemplate, getTemplate, listTemplates } from '../../common/model/templates';
import type { Dataset } from '../datasets/dataset';
import type { GlasswingMetadata } from '../model-io';
import type { Places } from '../files/places';
import { loadAnyModel } from '../import';
import { tf } from '../backends';

/** A model loaded from a file: training fine-tunes it, and images get its preprocessing. */
export interface LoadedSource {
  topology: ModelTopology;
  model: tfl.LayersModel;
  metadata: GlasswingMetadata | null;
  /** What the import assumed or changed (preprocessing, classes, added layers). */
  notes: string[];
}

export async function resolveModel(source: ModelSource, dataset: Pick<Dataset, 'inputShape' | 'task' | 'classes'> | null): Promise<ModelTopology> {
  if ('template' in source) {
    const template = getTemplate(source.template);
    return dataset ? adaptTemplate(template, { inputShape: dataset.inputShape, task: dataset.task, outputs: dataset.task === 'classification' ? dataset.classes.length : 1 }) : template;
  }
  if ('topology' in source) return source.topology;
  throw new Error('A model file is loaded with loadModelFile, not resolved to a topology.');
}

/** Loads a model file through the Places policy (imports .onnx, .keras and .h5). */
export async function loadModelFile(source: Extract<ModelSource, { file: string }>, places: Places): Promise<LoadedSource> {
  // Weights become tensors: a backend must be ready before the first run picks one.
  await tf.ready();
  const file = await places.readable(source.file, 'model');
  const classesFile = source.classesFile ? await places.readable(source.classesFile, 'data') : undefined;
  const loaded = await loadAnyModel(file, { ...(source.preprocess ? { preprocess: source.preprocess } : {}), ...(classesFile ? { classesFile } : {}) });
  const topology = loaded.imported?.topology ?? (loaded.model.toJSON(null, false) as unknown as ModelTopology);
  return { topology, model: loaded.model, metadata: loaded.metadata, notes: loaded.imported ? [...loaded.imported.notes, `Conversion check: ${loaded.imported.check.message}.`] : [] };
}

/** What a model source is called where runs are listed. */
export function modelSourceName(source: ModelSource, given?: string): string {
  if (given) return given;
  if ('template' in source) return listTemplates().find((t) => t.id === source.template)?.name ?? source.template;
  if ('file' in source) return source.file.split(/[\\/]/).filter(Boolean).pop() ?? source.file;
  return 'Your model';
}
