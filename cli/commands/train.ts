// glasswing train: trains a template or a model file on a dataset, headless, in this process.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { parseCommand, helpText, numberFlag, required, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { Engine } from '../../engine/engine';
import { writeFileAtomic } from '../../engine/model-io';
import { useBackend } from '../../engine/backends';
import { BACKEND_NAMES, OPTIMIZERS, ContractError, type TrainingEvent, type BackendName, type OptimizerName } from '../../common/ipc/contract';
import { readTopology } from './summary';
import { IMPORT_HELP, IMPORT_OPTIONS, isImportPath, loadCliModel } from './import-flags';

const spec = {
  name: 'train',
  usage:
    '(--template NAME | --model PATH) --dataset (iris|mnist|FILE.csv|DIR) [--label COLUMN] [--epochs N] [--batch-size B] [--lr X]\n' +
    '       [--optimizer adam|sgd|rmsprop] [--val-split F] [--test-split F] [--seed S] [--backend auto|cpu|wasm|tensorflow]\n' +
    '       [--image-size HxW] [--color grayscale|rgb] [--out DIR] [--json]',
  description:
    'Trains a model and reports each epoch. With --out, writes DIR/model.json + DIR/weights.bin (TF.js layers format)\n' +
    'and DIR/metrics.json. With --json, prints one JSON line per epoch:\n' +
    '  {"epoch","loss","accuracy","valLoss","valAccuracy","samplesPerSec"}\n' +
    'Defaults: --epochs 20 --batch-size 32 --lr 0.01 --optimizer adam --val-split 0.2 --test-split 0.2 --seed 1 --backend auto.\n' +
    'An imported --model (.onnx, .keras, .h5) is fine-tuned: training starts from its weights, images are sized and\n' +
    'preprocessed as it expects, and the dataset must have as many classes as it has outputs.\n' +
    IMPORT_HELP,
  options: {
    template: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    label: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    optimizer: { type: 'string' },
    'val-split': { type: 'string' },
    'test-split': { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    'image-size': { type: 'string' },
    color: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    ...IMPORT_OPTIONS,
  },
} as const satisfies CommandSpec<Options>;

export function parseImageSize(value: string | undefined): { height?: number; width?: number } {
  if (!value) return {};
  const m = /^(\d+)x(\d+)$/i.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new CliError(`--image-size must look like 28x28; got "${value}".`);
  return { height: Number(m[1]), width: Number(m[2]) };
}

export async function runTrain(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  if (!!flags.template === !!flags.model) throw new CliError('train: give either --template NAME or --model PATH.');
  const dataset = required(flags.dataset, 'dataset', 'train');
  const backend = (flags.backend ?? 'auto') as BackendName;
  if (!BACKEND_NAMES.includes(backend)) throw new CliError(`--backend must be one of ${BACKEND_NAMES.join(', ')}; got "${backend}".`);
  const optimizer = (flags.optimizer ?? 'adam') as OptimizerName;
  if (!OPTIMIZERS.includes(optimizer)) throw new CliError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}; got "${optimizer}".`);
  if (flags.color && flags.color !== 'grayscale' && flags.color !== 'rgb') throw new CliError(`--color must be grayscale or rgb; got "${flags.color}".`);
  const settings = {
    epochs: numberFlag(flags.epochs, 'epochs', 20, (v) => Number.isInteger(v) && v >= 1, 'a whole number of at least 1'),
    batchSize: numberFlag(flags['batch-size'], 'batch-size', 32, (v) => Number.isInteger(v) && v >= 1, 'a whole number of at least 1'),
    learningRate: numberFlag(flags.lr, 'lr', 0.01, (v) => v > 0 && v <= 10, 'a number above 0'),
    optimizer,
    validationSplit: numberFlag(flags['val-split'], 'val-split', 0.2, (v) => v >= 0 && v < 0.9, 'a fraction from 0 to 0.9'),
    testSplit: numberFlag(flags['test-split'], 'test-split', 0.2, (v) => v >= 0 && v < 0.9, 'a fraction from 0 to 0.9'),
    seed: numberFlag(flags.seed, 'seed', 1, (v) => Number.isInteger(v) && v >= 0, 'a whole number'),
    backend,
    ...(flags.label ? { labelColumn: flags.label } : {}),
  };
  if (settings.validationSplit + settings.testSplit >= 0.95) throw new CliError('--val-split and --test-split together leave no data for training.');
  // The imported weights are read on a backend of their own choosing; training then moves them to its backend.
  if (isImportPath(flags.model)) await useBackend(backend === 'auto' ? 'cpu' : backend);
  const imported = isImportPath(flags.model) ? await loadCliModel(flags.model!, flags, !!flags.json) : null;
  const [ih, iw, ic] = imported?.metadata?.inputShape ?? [];
  const size = flags['image-size'] || !imported || ic === undefined ? parseImageSize(flags['image-size']) : { height: ih, width: iw };
  const json = !!flags.json;
  let finished: Extract<TrainingEvent, { type: 'finished' }> | null = null;
  let failure: string | null = null;
  const engine = new Engine(
    (channel, payload) => {
      if (channel !== 'training.event') return;
      const e = payload as TrainingEvent;
      if (e.type === 'started') {
        if (!json) process.stderr.write(`Training on ${e.backend} — ${e.device}: ${e.trainExamples} train / ${e.valExamples} validation / ${e.testExamples} test examples, ${e.totalParams.toLocaleString('en-US')} parameters\n`);
      } else if (e.type === 'epoch') {
        if (json) {
          process.stdout.write(JSON.stringify({ epoch: e.epoch, loss: e.loss, accuracy: Number.isNaN(e.accuracy) ? null : e.accuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy, samplesPerSec: Math.round(e.samplesPerSec) }) + '\n');
        } else {
          const val = e.valLoss === null ? '' : `  val_loss ${e.valLoss.toFixed(4)}${e.valAccuracy === null ? '' : `  val_acc ${e.valAccuracy.toFixed(4)}`}`;
          process.stdout.write(`epoch ${String(e.epoch).padStart(String(settings.epochs).length)}/${settings.epochs}  loss ${e.loss.toFixed(4)}${Number.isNaN(e.accuracy) ? '' : `  acc ${e.accuracy.toFixed(4)}`}${val}  ${Math.round(e.samplesPerSec)} samples/s\n`);
        }
      } else if (e.type === 'finished') finished = e;
      else if (e.type === 'failed') failure = e.message;
    },
    'memory',
    { ...size, color: (flags.color as 'grayscale' | 'rgb' | undefined) ?? (ic === undefined ? undefined : ic === 3 ? 'rgb' : 'grayscale') },
  );
  const model = flags.template ? { template: flags.template } : { topology: imported?.imported?.topology ?? (await readTopology(flags.model!)) };
  let run;
  try {
    run = await engine.startTraining({ model, dataset, settings }, imported ? { model: imported.model, preprocessing: imported.metadata?.preprocessing } : undefined);
  } catch (e) {
    if (e instanceof ContractError) throw new CliError(e.message);
    throw e;
  }
  // Ctrl+C stops after the current batch and still saves what was learned.
  const onSigint = () => run.run?.stop();
  process.once('SIGINT', onSigint);
  await run.done;
  process.off('SIGINT', onSigint);
  if (failure) throw new CliError(`Training failed: ${failure}`, 1);
  const result = finished as Extract<TrainingEvent, { type: 'finished' }> | null;
  if (!result) throw new CliError('Training ended without a result.', 1);
  if (!json && result.test) {
    const t = result.test;
    process.stdout.write(`test: accuracy ${t.accuracy.toFixed(4)}  precision ${t.precision.toFixed(4)}  recall ${t.recall.toFixed(4)}  f1 ${t.f1.toFixed(4)}  (${t.examples} examples)\n`);
  }
  if (flags.out) {
    const dir = path.resolve(flags.out);
    await mkdir(dir, { recursive: true });
    await engine.saveRun(run.runId, dir);
    const metrics = { backend: result.backend, settings, dataset, history: result.history, test: result.test, stopped: result.stopped };
    await writeFileAtomic(path.join(dir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    if (!json) process.stderr.write(`Saved ${path.join(dir, 'model.json')}, weights.bin and metrics.json\n`);
  }
  return 0;
}
