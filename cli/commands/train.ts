// glasswing train: trains a template or a model file on a dataset, headless, in this process.
import path from 'node:path';
import { parseCommand, helpText, required, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { checkOutFolder } from '../out-folder';
import { Engine } from '../../engine/engine';
import { ContractError, type TrainingEvent } from '../../common/ipc/contract';
import { formatTest } from '../format-metrics';
import { readModelDescription } from './summary';
import { settingsFromFlags, suggestedFor, TRAINING_FLAGS, TRAINING_FLAGS_HELP, TRAINING_FLAGS_USAGE } from '../training-flags';
import { IMPORT_HELP, IMPORT_OPTIONS, importOptions, isImportPath } from './import-flags';

export { parseImageSize } from '../training-flags';

const spec = {
  name: 'train',
  usage: `(--template NAME | --model PATH) --dataset (iris|mnist|FILE.csv|DIR) ${TRAINING_FLAGS_USAGE}\n       [--out DIR] [--json]`,
  description:
    'Trains a model and reports each epoch, then its test metrics (classification: accuracy, precision, recall, F1;\n' +
    'regression: MAE, RMSE, R²). With --out, writes DIR/model.json + DIR/weights.bin (TF.js layers format) and\n' +
    'DIR/metrics.json, as one folder. With --json, prints one JSON line per epoch (the test line goes to stderr):\n' +
    '  {"epoch","loss","accuracy","valLoss","valAccuracy","samplesPerSec"}\n' +
    TRAINING_FLAGS_HELP +
    '\nA trained --model (a folder written by train --out, or an imported .onnx, .keras, .h5) is fine-tuned: training\n' +
    'starts from its weights, inputs are sized and preprocessed as it expects, and the dataset must have as many\n' +
    'classes as it has outputs. A --model that is an architecture only (a topology JSON) starts from fresh weights.\n' +
    IMPORT_HELP,
  options: {
    template: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    ...TRAINING_FLAGS,
    out: { type: 'string' },
    json: { type: 'boolean' },
    ...IMPORT_OPTIONS,
  },
} as const satisfies CommandSpec<Options>;

export async function runTrain(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  if (!!flags.template === !!flags.model) throw new CliError('train: give either --template NAME or --model PATH.');
  const dataset = required(flags.dataset, 'dataset', 'train');
  if (flags.out) await checkOutFolder(flags.out);
  const settings = settingsFromFlags(flags, suggestedFor(dataset));
  const json = !!flags.json;
  let finished: Extract<TrainingEvent, { type: 'finished' }> | null = null;
  let failure: string | null = null;
  const engine = new Engine((channel, payload) => {
    if (channel !== 'training.event') return;
    const e = payload as TrainingEvent;
    if (e.type === 'started') {
      for (const note of e.info.notes) process.stderr.write(`import: ${note}\n`);
      if (!json) process.stderr.write(`Training on ${e.backend} — ${e.device}: ${e.trainExamples} train / ${e.valExamples} validation / ${e.testExamples} test examples, ${e.totalParams.toLocaleString('en-US')} parameters; ${settings.optimizer} at learning rate ${settings.learningRate}, batch ${settings.batchSize}\n`);
    } else if (e.type === 'epoch') {
      if (json) {
        process.stdout.write(JSON.stringify({ epoch: e.epoch, loss: e.loss, accuracy: Number.isNaN(e.accuracy) ? null : e.accuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy, samplesPerSec: Math.round(e.samplesPerSec) }) + '\n');
      } else {
        const val = e.valLoss === null ? '' : `  val_loss ${e.valLoss.toFixed(4)}${e.valAccuracy === null ? '' : `  val_acc ${e.valAccuracy.toFixed(4)}`}`;
        process.stdout.write(`epoch ${String(e.epoch).padStart(String(settings.epochs).length)}/${settings.epochs}  loss ${e.loss.toFixed(4)}${Number.isNaN(e.accuracy) ? '' : `  acc ${e.accuracy.toFixed(4)}`}${val}  ${Math.round(e.samplesPerSec)} samples/s\n`);
      }
    } else if (e.type === 'finished') finished = e;
    else if (e.type === 'failed') failure = e.message;
  });
  if (!isImportPath(flags.model) && (flags.classes || flags.preprocess)) throw new CliError('--classes and --preprocess apply to imported models (.onnx, .keras, .h5); a Glasswing model keeps its own.');
  const imports = importOptions(flags);
  const described = flags.model && !isImportPath(flags.model) ? await readModelDescription(flags.model) : null;
  const model = flags.template
    ? { template: flags.template }
    : isImportPath(flags.model)
      ? { file: path.resolve(flags.model!), ...(imports.preprocess ? { preprocess: imports.preprocess as 'imagenet' | 'unit' | 'none' } : {}), ...(imports.classesFile ? { classesFile: path.resolve(imports.classesFile) } : {}) }
      : described!.trained
        ? { file: path.resolve(flags.model!) }
        : { topology: described!.topology };
  // A trained model is fine-tuned from its weights (as an imported one is); an architecture alone starts from fresh ones.
  if ('file' in model && !json) process.stderr.write(`Fine-tuning ${flags.model}: training starts from its weights.\n`);
  let run;
  try {
    run = await engine.startTraining({ model, dataset, settings });
  } catch (e) {
    if (e instanceof ContractError) throw new CliError(e.message);
    throw e;
  }
  // What the import skipped, as `dataset inspect` lists it (images that are not images, broken files).
  const report = run.dataset.report;
  if (report && !json) {
    for (const s of report.skipped.slice(0, 20)) process.stderr.write(`warning: ${s.file} was skipped: ${s.reason}.\n`);
    if (report.skipped.length > 20) process.stderr.write(`warning: ${report.skipped.length.toLocaleString('en-US')} files in all were skipped.\n`);
    for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
  }
  // Ctrl+C stops after the current batch and still saves what was learned.
  const onSigint = () => {
    process.stderr.write(`Stopping after this batch${flags.out ? ' and saving' : ''} (Ctrl+C again quits at once${flags.out ? ', without saving' : ''})…\n`);
    run.run?.stop();
  };
  process.once('SIGINT', onSigint);
  await run.done;
  process.off('SIGINT', onSigint);
  if (failure) throw new CliError(`Training failed: ${failure}`, 1);
  const result = finished as Extract<TrainingEvent, { type: 'finished' }> | null;
  if (!result) throw new CliError('Training ended without a result.', 1);
  if (result.stopped) process.stderr.write(`Stopped after epoch ${result.history.length} of ${settings.epochs}${result.stopReason ? ` (${result.stopReason})` : ''}.\n`);
  const line = formatTest(result.test, result.regression);
  if (line) (json ? process.stderr : process.stdout).write(`${line}\n`);
  if (flags.out) {
    const dir = path.resolve(flags.out);
    const metrics = {
      backend: result.backend,
      settings: run.settings,
      dataset,
      history: result.history,
      test: result.test ?? (result.regression ? { mae: result.regression.mae, rmse: result.regression.rmse, r2: result.regression.r2, examples: result.regression.examples } : null),
      stopped: result.stopped,
    };
    // The model and its metrics are one unit: an interrupted save leaves the old folder or the new one.
    await engine.saveRun(run.runId, dir, { 'metrics.json': JSON.stringify(metrics, null, 2) + '\n' });
    if (!json) process.stderr.write(`Saved ${path.join(dir, 'model.json')}, weights.bin and metrics.json\n`);
  }
  return 0;
}
