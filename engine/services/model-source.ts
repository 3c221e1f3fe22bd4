// The Keras JSON a model source stands for: a template fitted to the data set's input and
// classes, or the topology the person built.
import type { ModelSource } from '../../common/ipc/contract';
import type { ModelTopology } from '../../common/model/keras-format';
import { adaptTemplate, getTemplate, listTemplates } from '../../common/model/templates';
import type { Dataset } from '../datasets/dataset';

export async function resolveModel(source: ModelSource, dataset: Pick<Dataset, 'inputShape' | 'task' | 'classes'> | null): Promise<ModelTopology> {
  if ('template' in source) {
    const template = getTemplate(source.template);
    return dataset ? adaptTemplate(template, { inputShape: dataset.inputShape, task: dataset.task, outputs: dataset.task === 'classification' ? dataset.classes.length : 1 }) : template;
  }
  return source.topology;
}

/** What a model source is called where runs are listed. */
export function modelSourceName(source: ModelSource, given?: string): string {
  if (given) return given;
  if ('template' in source) return listTemplates().find((t) => t.id === source.template)?.name ?? source.template;
  return 'Your model';
}
