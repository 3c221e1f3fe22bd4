// glasswing predict: class probabilities for one observation (numbers, a CSV of rows, or an image).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCommand, helpText, required, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { parseCsv } from '../../engine/datasets/csv';
import { imageForModel } from '../../engine/image-input';
import { IMAGE_EXTENSIONS } from '../../engine/datasets/image-folder';
import { Engine } from '../../engine/engine';
import { useBackend } from '../../engine/backends';
import { IMPORT_HELP, IMPORT_OPTIONS, loadCliModel } from './import-flags';
import { ContractError } from '../../common/ipc/contract';

const spec = {
  name: 'predict',
  usage: '--model PATH --input (FILE | "v1,v2,…") [--json]',
  description:
    'Predicts with a saved model. --input is comma-separated raw feature values, a CSV file of rows (a header row\n' +
    'is matched to the model\'s feature names), or an image file for image models. Preprocessing stored with the\nmodel is applied.\n' +
    IMPORT_HELP,
  options: { model: { type: 'string' }, input: { type: 'string' }, json: { type: 'boolean' }, ...IMPORT_OPTIONS },
} as const satisfies CommandSpec<Options>;

type Raw = number | string | null;

/** A raw value as typed: a number, a category name, or missing. */
function rawValue(text: string, where: string, numericOnly: boolean): Raw {
  const t = text.trim();
  if (t === '' || t === 'NA') return null;
  const n = Number(t);
  if (Number.isFinite(n)) return n;
  if (numericOnly) throw new CliError(`${where}: "${t}" is not a number.`);
  return t;
}

async function readInputs(input: string, columnNames: string[], numericOnly: boolean, inputShape: number[]): Promise<{ rows: Raw[][]; labels: string[] }> {
  let isFile = false;
  try {
    isFile = (await stat(input)).isFile();
  } catch {
    /* not a file: literal values */
  }
  if (isFile && IMAGE_EXTENSIONS.includes(path.extname(input).toLowerCase())) {
    if (inputShape.length !== 3) throw new CliError(`${input} is an image, but the model takes ${inputShape.join('×')} feature values.`);
    return { rows: [Array.from(await imageForModel(input, inputShape, input))], labels: [path.basename(input)] };
  }
  if (isFile) {
    const table = parseCsv(await readFile(input, 'utf8'), path.basename(input));
    const headerIsData = table.header.every((h) => h !== '' && Number.isFinite(Number(h)));
    const rows = headerIsData ? [{ line: 1, fields: table.header }, ...table.rows] : table.rows;
    // A header naming the model's columns picks and orders them (extra columns, e.g. the label, are
    // ignored). A header that names some of them but not all is a typo or another file: reading its
    // columns by position instead would predict from the wrong values without a word.
    const named = !headerIsData && columnNames.length ? columnNames.filter((f) => table.header.includes(f)) : [];
    if (named.length && named.length < columnNames.length) {
      const missing = columnNames.filter((f) => !table.header.includes(f));
      const unknown = table.header.filter((h) => !columnNames.includes(h));
      throw new CliError(`${path.basename(input)} has no column${missing.length === 1 ? '' : 's'} ${missing.map((m) => `"${m}"`).join(', ')}, which the model takes${unknown.length ? ` (the header also names ${unknown.slice(0, 5).map((u) => `"${u}"`).join(', ')}${unknown.length > 5 ? ', …' : ''})` : ''}.`);
    }
    const columns = named.length ? columnNames.map((f) => table.header.indexOf(f)) : null;
    return {
      rows: rows.map((r) => (columns ? columns.map((c) => r.fields[c]!) : r.fields).map((v, j) => rawValue(v, `${path.basename(input)} line ${r.line}, field ${j + 1}`, numericOnly))),
      labels: rows.map((r) => `line ${r.line}`),
    };
  }
  if (/\.(csv|tsv|txt|png|jpe?g|webp|gif|bmp)$/i.test(input)) throw new CliError(`${input} does not exist.`);
  return { rows: [input.split(',').map((v, j) => rawValue(v, `--input value ${j + 1}`, numericOnly))], labels: ['input'] };
}

export async function runPredict(argv: string[]): Promise<number> {
  const flags = parseCommand(spec, argv);
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  const input = required(flags.input, 'input', 'predict');
  await useBackend('cpu');
  const { model, metadata } = await loadCliModel(required(flags.model, 'model', 'predict'), flags);
  if (!metadata) throw new CliError(`${flags.model} has no Glasswing metadata (classes, preprocessing); it was not saved by Glasswing.`);
  const p = metadata.preprocessing;
  const columnNames = p.kind === 'table' ? (p.columns?.map((c) => c.name) ?? p.featureNames) : [];
  const numericOnly = !(p.kind === 'table' && p.columns?.some((c) => c.type === 'categorical'));
  const { rows, labels } = await readInputs(input, columnNames, numericOnly, metadata.inputShape);
  // A category the model never saw becomes none of its one-hot units: the prediction then rests on
  // the other columns alone, which the person should know.
  if (p.kind === 'table' && p.columns && rows.every((r) => r.length === p.columns!.length)) {
    const unseen = new Map<string, Set<string>>();
    for (const r of rows) {
      p.columns.forEach((c, j) => {
        const v = r[j];
        if (c.type === 'categorical' && typeof v === 'string' && !c.categories.includes(v)) (unseen.get(c.name) ?? unseen.set(c.name, new Set()).get(c.name)!).add(v);
      });
    }
    for (const [column, values] of unseen) {
      const shown = [...values].slice(0, 3).map((v) => `"${v.slice(0, 40)}"`).join(', ');
      process.stderr.write(`warning: column "${column}": ${shown}${values.size > 3 ? ', …' : ''} ${values.size === 1 ? 'was' : 'were'} not seen in training; read as none of its categories.\n`);
    }
  }
  const engine = new Engine(() => undefined);
  let result;
  try {
    result = engine.predictRaw(model, metadata, rows);
  } catch (e) {
    if (e instanceof ContractError) throw new CliError(e.message);
    throw e;
  }
  const out = rows.map((_, i) => {
    const p = result.probabilities[i]!;
    if (metadata.task === 'regression') return { input: labels[i], value: p[0] };
    const k = result.predicted[i]!;
    return { input: labels[i], class: metadata.classes[k], classIndex: k, confidence: p[k], probabilities: Object.fromEntries(metadata.classes.map((c, j) => [c, p[j]])) };
  });
  if (flags.json) process.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out) + '\n');
  else {
    for (const o of out) {
      if ('value' in o) process.stdout.write(`${o.input}: ${o.value}\n`);
      else process.stdout.write(`${o.input}: ${o.class} (${((o.confidence ?? 0) * 100).toFixed(1)}%)  ${Object.entries(o.probabilities).map(([c, v]) => `${c} ${(v! * 100).toFixed(1)}%`).join('  ')}\n`);
    }
  }
  return 0;
}
