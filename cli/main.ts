// The `glasswing` command. Each sub-command lives in cli/commands/; bad input ends with one line
// on stderr and a non-zero exit (a stack trace only with --debug).
import { CliError } from './cli-error';
import type { DatasetFix } from '../common/ipc/contract';
import { fixFlags } from './training-flags';
import { runSummary } from './commands/summary';
import { runTrain } from './commands/train';
import { runEvaluate } from './commands/evaluate';
import { runPredict } from './commands/predict';
import { runServe } from './commands/serve';
import { runBenchCommand } from './commands/bench';
import { runDataset } from './commands/dataset';
import { runFeatureMaps } from './commands/featuremaps';
import { runGradCam } from './commands/gradcam';
import { runTune } from './commands/tune';
import { runExport } from './commands/export';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  summary: { run: runSummary, help: 'layers, output shapes and parameter counts of a template or model' },
  train: { run: runTrain, help: 'train a template or model on a dataset; save model.json + weights.bin' },
  evaluate: { run: runEvaluate, help: 'accuracy, precision, recall, F1 and confusion matrix of a saved model' },
  predict: { run: runPredict, help: 'class probabilities for new observations or an image' },
  dataset: { run: runDataset, help: 'what the importer sees in a CSV/TSV file or an image folder (dataset inspect PATH)' },
  featuremaps: { run: runFeatureMaps, help: "a layer's activations for one image, as JSON or one PNG per channel" },
  gradcam: { run: runGradCam, help: 'Grad-CAM (and other CAM methods) heatmap for an image, as JSON or an overlay PNG' },
  tune: { run: runTune, help: 'Bayesian hyperparameter search (TPE, as Optuna) with median pruning' },
  export: { run: runExport, help: 'export a model as TF.js, ONNX or a Keras script, with a check of the exported file' },
  serve: { run: runServe, help: 'the workbench in your browser at http://127.0.0.1' },
  bench: { run: runBenchCommand, help: 'training and inference samples/s per backend, beside PyTorch when installed' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return (
    'Usage: glasswing <command> [options]\n\nCommands:\n' +
    Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.help}`).join('\n') +
    '\n\nRun `glasswing <command> --help` for its options. Add --debug to see stack traces.\n'
  );
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write('0.1.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`Unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}.`);
  return command.run(rest);
}

// A reader that goes away (`glasswing train … | head -1`) makes later writes fail with EPIPE. Output
// then has nowhere to go, but the work goes on: a training run still saves its model.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

const debug = process.argv.includes('--debug');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as Error & { exitCode?: number; code?: string; fixes?: DatasetFix[] };
    const message = (err?.message ?? String(e)).split('\n')[0];
    // A data problem with fixes names the flags that apply them.
    const hint = Array.isArray(err?.fixes) && err.fixes.length ? ` (${fixFlags(err.fixes)})` : '';
    process.stderr.write(`glasswing: ${message}${hint}\n`);
    if (debug && err?.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = e instanceof CliError ? e.exitCode : err?.code === 'bad-input' ? 2 : 1;
  },
);
