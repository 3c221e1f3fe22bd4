// model-card.md: what the model is, what it was trained on, how well it did, and how to use it.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EpochRecord, EvaluationMetrics, RegressionMetrics, TrainingSettings } from '../../common/ipc/contract';
import type { GlasswingMetadata } from '../model-io';

export interface ModelCardInput {
  model: tfl.LayersModel;
  metadata: GlasswingMetadata;
  settings?: Partial<TrainingSettings> | null;
  history?: EpochRecord[] | null;
  test?: EvaluationMetrics | null;
  /** A regression model's test metrics. */
  regression?: Pick<RegressionMetrics, 'mae' | 'rmse' | 'r2' | 'examples'> | null;
  /** Extra facts, e.g. the export check's result or the tuning trial. */
  notes?: string[];
  format: string;
}

const esc = (s: string) => s.replace(/\|/g, '\\|');
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function shapeText(s: unknown): string {
  const shape = (Array.isArray(s) && Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
}

export function modelCard(input: ModelCardInput): string {
  const { model, metadata, settings, history, test, regression } = input;
  const out: string[] = [];
  out.push(`# Model card: ${model.name}`, '');
  out.push(`Exported by Glasswing (${input.format}) on ${new Date().toISOString().slice(0, 10)}.`, '');
  out.push('## Data', '');
  out.push(`- Dataset: ${metadata.dataset ?? 'not recorded'}`);
  out.push(`- Task: ${metadata.task}`);
  out.push(`- Input: one example of shape (${metadata.inputShape.join(', ')})${metadata.preprocessing.kind === 'table' ? `, features ${metadata.preprocessing.featureNames.join(', ')}` : ''}`);
  if (metadata.task === 'classification') out.push(`- Classes, in output order: ${metadata.classes.map((c, i) => `${i} = ${c}`).join(', ')}`);
  const p = metadata.preprocessing;
  out.push(
    p.kind === 'table'
      ? `- Preprocessing: standardisation fitted on the training split, x' = (x − mean) / std (values in preprocessing.json)`
      : `- Preprocessing: ${p.height}×${p.width}×${p.channels} images, x' = (pixel × ${p.scale} − mean) / std per channel, pixels 0–255 (preprocessing.json)`,
  );
  if (settings) {
    const parts = [
      settings.epochs !== undefined ? `${settings.epochs} epochs` : null,
      settings.batchSize !== undefined ? `batch size ${settings.batchSize}` : null,
      settings.optimizer ? `${settings.optimizer}` : null,
      settings.learningRate !== undefined ? `learning rate ${settings.learningRate}` : null,
      settings.validationSplit !== undefined ? `validation split ${settings.validationSplit}` : null,
      settings.testSplit !== undefined ? `test split ${settings.testSplit}` : null,
      settings.seed !== undefined ? `seed ${settings.seed}` : null,
    ].filter(Boolean);
    out.push(`- Training: ${parts.join(', ')}`);
  }
  out.push('', '## Architecture', '', '| # | layer | type | output shape | parameters |', '|---|---|---|---|---|');
  model.layers.forEach((l, i) => {
    const act = (l.getConfig() as { activation?: string }).activation;
    out.push(`| ${i + 1} | ${esc(l.name)} | ${l.getClassName()}${act && act !== 'linear' ? ` (${act})` : ''} | ${shapeText(l.outputShape)} | ${l.countParams().toLocaleString('en-US')} |`);
  });
  out.push('', `Total parameters: ${model.countParams().toLocaleString('en-US')}.`, '');
  out.push('## Metrics', '');
  const last = history && history.length ? history[history.length - 1]! : null;
  if (last) {
    out.push(`After ${last.epoch} epochs: training loss ${last.loss.toFixed(4)}${Number.isFinite(last.accuracy) ? `, accuracy ${pct(last.accuracy)}` : ''}${last.valLoss !== null ? `; validation loss ${last.valLoss.toFixed(4)}` : ''}${last.valAccuracy !== null ? `, accuracy ${pct(last.valAccuracy)}` : ''}.`, '');
  }
  if (test) {
    out.push(`Test set (${test.examples} examples): accuracy ${pct(test.accuracy)}, macro precision ${pct(test.precision)}, recall ${pct(test.recall)}, F1 ${pct(test.f1)}.`, '');
    out.push('| class | precision | recall | F1 | support |', '|---|---|---|---|---|');
    for (const c of test.perClass) out.push(`| ${esc(c.className)} | ${pct(c.precision)} | ${pct(c.recall)} | ${pct(c.f1)} | ${c.support} |`);
    out.push('', '### Confusion matrix', '', 'Rows are actual classes, columns predictions.', '');
    out.push(`| actual \\ predicted | ${test.classes.map(esc).join(' | ')} |`, `|---|${test.classes.map(() => '---').join('|')}|`);
    test.confusion.forEach((row, i) => out.push(`| ${esc(test.classes[i]!)} | ${row.join(' | ')} |`));
    out.push('');
  }
  if (regression) {
    out.push(`Test set (${regression.examples} examples): mean absolute error ${regression.mae.toPrecision(4)}, root mean squared error ${regression.rmse.toPrecision(4)}, R² ${regression.r2.toFixed(4)}.`, '');
  }
  if (!last && !test && !regression) out.push('No training history or test metrics were recorded with this model.', '');
  if (input.notes?.length) {
    out.push('## Export check', '');
    for (const n of input.notes) out.push(`- ${n}`);
    out.push('');
  }
  out.push('## Intended use', '');
  out.push(
    `A ${metadata.task} model for inputs like those in ${metadata.dataset ?? 'its training data'}, made for learning and experiments in Glasswing. ` +
      'It has only been evaluated on the held-out split above; it has not been tested for fairness, robustness or data drift, ' +
      'and should not be used for decisions about people without that work. Apply the preprocessing in preprocessing.json to raw inputs before predicting.',
    '',
  );
  return out.join('\n');
}
