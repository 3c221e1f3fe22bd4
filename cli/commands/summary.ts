// glasswing summary: layers, output shapes and parameter counts, as Keras's model.summary().
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCommand, helpText, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { getTemplate, adaptTemplate } from '../../common/model/templates';
import { summarizeTopology } from '../../common/model/summary';
import { formatShape, type ModelTopology } from '../../common/model/keras-format';
import { loadDataset } from '../../engine/datasets/load';
import { useBackend } from '../../engine/backends';
import { refuseOtherFormats, summarizeLayersModel } from '../../engine/import';
import { IMPORT_HELP, IMPORT_OPTIONS, isImportPath, loadCliModel } from './import-flags';

const spec = {
  name: 'summary',
  usage: '(--template NAME | --model PATH) [--dataset D] [--label COLUMN] [--json]',
  description:
    'Prints each layer with its output shape and parameter count, and the totals.\n' +
    '  --template NAME   iris-mlp, mnist-mlp, lenet5, residual-cnn or lstm-classifier\n' +
    '  --model PATH      a model folder or its model.json, or a .onnx/.keras/.h5 file to import\n' +
    '  --dataset D       adapt the template to a dataset (iris, mnist, FILE.csv, DIR)\n' +
    '  --json            print {"layers":[{"name","className","outputShape","params"}],"totalParams","trainableParams"}\n' +
    IMPORT_HELP,
  options: {
    template: { type: 'string' },
    model: { type: 'string' },
    dataset: { type: 'string' },
    label: { type: 'string' },
    json: { type: 'boolean' },
    ...IMPORT_OPTIONS,
  },
} as const satisfies CommandSpec<Options>;

/**
 * The model at `modelPath` (a folder, a model.json, a topology JSON or a project file's model), and
 * whether it is trained: a TF.js model.json with weights, which `train` fine-tunes, rather than an
 * architecture alone, which starts from fresh weights.
 */
export async function readModelDescription(modelPath: string): Promise<{ topology: ModelTopology; trained: boolean }> {
  refuseOtherFormats(modelPath);
  let file = modelPath;
  try {
    if ((await stat(modelPath)).isDirectory()) file = path.join(modelPath, 'model.json');
  } catch {
    throw new CliError(`${modelPath} does not exist.`);
  }
  let json: { modelTopology?: ModelTopology; model?: ModelTopology; class_name?: string; weightsManifest?: unknown };
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new CliError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const topology = json.modelTopology ?? json.model ?? (json.class_name ? (json as ModelTopology) : undefined);
  if (!topology) throw new CliError(`${file} holds no model (no modelTopology).`);
  const trained = Array.isArray(json.weightsManifest) && json.weightsManifest.length > 0;
  return { topology: (topology as { model_config?: ModelTopology }).model_config ?? topology, trained };
}

export async function readTopology(modelPath: string): Promise<ModelTopology> {
  return (await readModelDescription(modelPath)).topology;
}

export async function runSummary(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  if (!!flags.template === !!flags.model) throw new CliError('summary: give either --template NAME or --model PATH.');
  // An imported model is summarised from the converted TF.js model: its layers (ZeroPadding2D,
  // DepthwiseConv2D, …) go beyond the builder's palette that summarizeTopology knows.
  let imported = null;
  if (isImportPath(flags.model)) {
    if (flags.dataset) throw new CliError('summary: --dataset adapts templates; an imported model keeps its own shape.');
    await useBackend('cpu');
    imported = await loadCliModel(flags.model!, flags, !!flags.json);
  }
  let topology = flags.template ? getTemplate(flags.template) : (imported?.imported?.topology ?? (await readTopology(flags.model!)));
  if (flags.dataset) {
    const ds = await loadDataset(flags.dataset, { labelColumn: flags.label });
    topology = adaptTemplate(topology, { inputShape: ds.inputShape, task: ds.task, outputs: ds.task === 'classification' ? ds.classes.length : 1 });
  }
  const summary = imported ? summarizeLayersModel(imported.model) : summarizeTopology(topology);
  imported?.model.dispose();
  const rows = summary.layers.filter((l) => !(topology.class_name === 'Sequential' && l.className === 'InputLayer'));
  if (flags.json) {
    process.stdout.write(
      JSON.stringify({
        layers: rows.map((l) => ({ name: l.name, className: l.className, outputShape: l.outputShape, params: l.params, ...(l.error ? { error: l.error } : {}) })),
        totalParams: summary.totalParams,
        trainableParams: summary.trainableParams,
        nonTrainableParams: summary.nonTrainableParams,
        errors: summary.errors,
      }) + '\n',
    );
  } else {
    const lines = rows.map((l) => [`${l.name} (${l.className})`, l.outputShape ? formatShape(l.outputShape) : '—', l.params.toLocaleString('en-US')]);
    const header = ['Layer (type)', 'Output shape', 'Params'];
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((r) => r[i]!.length)));
    const fmt = (r: string[]) => r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
    const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
    process.stdout.write([fmt(header), rule, ...lines.map(fmt), rule].join('\n') + '\n');
    process.stdout.write(`Total params: ${summary.totalParams.toLocaleString('en-US')}\nTrainable params: ${summary.trainableParams.toLocaleString('en-US')}\nNon-trainable params: ${summary.nonTrainableParams.toLocaleString('en-US')}\n`);
  }
  if (summary.errors.length) {
    for (const e of summary.errors) process.stderr.write(`${e.layer ? `${e.layer}: ` : ''}${e.message}\n`);
    return 2;
  }
  return 0;
}
