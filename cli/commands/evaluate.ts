// glasswing evaluate: a saved model's metrics on every example of a dataset.
import { parseCommand, helpText, required, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { loadDataset, resolveRef } from '../../engine/datasets/load';
import { datasetInputs } from '../../engine/datasets/prepare';
import { floatExamples } from '../../compute/examples';
import { evaluateClassifier, predictAll } from '../../compute/training-loop';
import { regressionMetrics } from '../../compute/metrics';
import { formatTest } from '../format-metrics';
import { useBackend } from '../../engine/backends';
import { IMPORT_HELP, IMPORT_OPTIONS, loadCliModel } from './import-flags';

const spec = {
  name: 'evaluate',
  usage: '--model PATH --dataset (iris|mnist|FILE.csv|DIR) [--label COLUMN] [--json]',
  description:
    'Runs every example of the dataset through the model (with its stored preprocessing) and prints, for a classifier,\n' +
    'accuracy, macro precision, recall and F1 and the confusion matrix (rows = actual, columns = predicted); for a\n' +
    'regression, MAE, RMSE and R².\n' +
    IMPORT_HELP,
  options: { model: { type: 'string' }, dataset: { type: 'string' }, label: { type: 'string' }, json: { type: 'boolean' }, ...IMPORT_OPTIONS },
} as const satisfies CommandSpec<Options>;

export async function runEvaluate(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  await useBackend('cpu');
  const { model, metadata } = await loadCliModel(required(flags.model, 'model', 'evaluate'), flags);
  if (!metadata) throw new CliError(`${flags.model} has no Glasswing metadata (classes, preprocessing); it was not saved by Glasswing.`);
  const datasetRef = required(flags.dataset, 'dataset', 'evaluate');
  // Images are read at the model's size; a table model has no image size to read a folder at.
  const p = metadata.preprocessing;
  const imageOptions = p.kind === 'image' ? { height: p.height, width: p.width, color: p.channels === 3 ? ('rgb' as const) : ('grayscale' as const) } : {};
  if (p.kind === 'table' && (await resolveRef(datasetRef)) === 'folder') {
    throw new CliError(`The model takes a row of ${p.featureNames.length} feature values; ${datasetRef} is a folder of images. Evaluate it on a CSV file with the columns it was trained on.`);
  }
  // A trained classifier can be evaluated on data of one class (training needs two).
  const ds = await loadDataset(datasetRef, { labelColumn: flags.label, ...imageOptions, oneClassAllowed: true });
  // A table model that knows its columns picks them by name (extra columns are ignored, missing ones
  // named by datasetInputs); otherwise the shapes must agree.
  const byName = p.kind === 'table' && !!p.columns && !!ds.table;
  if (!byName && ds.inputShape.join('x') !== metadata.inputShape.join('x')) {
    throw new CliError(`The model expects examples of shape (${metadata.inputShape.join(', ')}); ${ds.name} has (${ds.inputShape.join(', ')}).`);
  }
  if (metadata.task === 'regression') {
    if (ds.task !== 'regression') throw new CliError(`The model predicts a number, but the label of ${ds.name} is a class; give the numeric column with --label.`);
    const examples = floatExamples(datasetInputs(ds, metadata.preprocessing), ds.y, []);
    const m = regressionMetrics(ds.y, await predictAll(model, examples, metadata.inputShape));
    if (flags.json) process.stdout.write(JSON.stringify({ mae: m.mae, rmse: m.rmse, r2: m.r2, examples: m.examples }) + '\n');
    else process.stdout.write(`${formatTest(null, m)!.replace(/^test: /, '')}\n`);
    return 0;
  }
  // Map the dataset's class names onto the model's class order.
  const modelIndex = new Map(metadata.classes.map((cl, i) => [cl, i]));
  const y = new Float32Array(ds.count);
  for (let i = 0; i < ds.count; i++) {
    const name = ds.classes[ds.y[i]!]!;
    const idx = modelIndex.get(name);
    if (idx === undefined) throw new CliError(`${ds.name} has a class "${name}" the model does not know (it knows ${metadata.classes.join(', ')}).`);
    y[i] = idx;
  }
  // The model's own recipe (scaling, one-hot categories) re-encodes the freshly loaded data.
  const x = datasetInputs(ds, metadata.preprocessing);
  const m = await evaluateClassifier(model, { x, y, count: ds.count, indices: [] }, metadata.inputShape, metadata.classes);
  if (flags.json) process.stdout.write(JSON.stringify(m) + '\n');
  else {
    process.stdout.write(`accuracy ${m.accuracy.toFixed(4)}  precision ${m.precision.toFixed(4)}  recall ${m.recall.toFixed(4)}  f1 ${m.f1.toFixed(4)}  (${m.examples} examples)\n`);
    process.stdout.write('confusion (rows = actual, columns = predicted):\n');
    const width = Math.max(...m.classes.map((c) => c.length), ...m.confusion.flat().map((v) => String(v).length));
    process.stdout.write(' '.repeat(width) + '  ' + m.classes.map((c) => c.padStart(width)).join(' ') + '\n');
    m.confusion.forEach((row, i) => process.stdout.write(m.classes[i]!.padStart(width) + '  ' + row.map((v) => String(v).padStart(width)).join(' ') + '\n'));
  }
  return 0;
}
