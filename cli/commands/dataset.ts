// glasswing dataset inspect: what the importer sees in a CSV/TSV file or an image folder — rows or
// images, columns and their types, classes and counts, and every problem found.
import { parseArgs } from 'node:util';
import { helpText, type CommandSpec, type Options } from '../args';
import { CliError } from '../cli-error';
import { badValuesFromFlags, fixFlags, listFlag as list, parseImageSize } from '../training-flags';
import { inspectDataset, type DatasetInspection } from '../../engine/datasets/inspect';
import type { Task } from '../../engine/datasets/dataset';

const spec = {
  name: 'dataset',
  usage:
    'inspect (iris|mnist|FILE.csv|DIR) [--label COLUMN] [--categorical COL,…] [--ignore COL,…] [--missing COL,…] [--drop-bad COL,…]\n' +
    '       [--task classification|regression]\n' +
    '       [--image-size HxW] [--color grayscale|rgb] [--no-cache] [--json]',
  description:
    'Shows what the importer sees: rows or images, columns with their types and statistics, classes and their\n' +
    'counts, the first rows, and every problem found (each naming the file, line and column). Image folders are\n' +
    'decoded once and cached in DIR/.glasswing-cache, so opening them again is instant (--no-cache: neither read\n' +
    'nor write the cache). Exits 2 when the data would not load with these options.\n' +
    'Defaults: --label is the last column, --image-size 28x28, --color grayscale.',
  options: {
    label: { type: 'string' },
    categorical: { type: 'string' },
    ignore: { type: 'string' },
    missing: { type: 'string' },
    'drop-bad': { type: 'string' },
    task: { type: 'string' },
    'image-size': { type: 'string' },
    color: { type: 'string' },
    'no-cache': { type: 'boolean' },
    json: { type: 'boolean' },
  },
} as const satisfies CommandSpec<Options>;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

function table(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  return rows.map((r) => indent + r.map((c, j) => (j === r.length - 1 ? c : c.padEnd(widths[j]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatInspection(r: DatasetInspection): string {
  let out = '';
  const count = `${r.count.toLocaleString('en-US')} ${r.kind === 'table' ? 'rows' : 'images'}`;
  const what = r.task === 'regression' ? `regression on "${r.labelColumn}"` : r.task === 'classification' ? `classification${r.labelColumn ? ` on "${r.labelColumn}"` : ''} into ${r.classes.length} classes` : 'no usable label';
  out += `${r.name}: ${r.kind === 'table' ? 'table' : 'images'}, ${count}, ${what}\n`;
  if (r.inputShape) out += `input shape: ${r.inputShape.join('×')}\n`;
  if (r.report && r.kind === 'images') {
    const rep = r.report;
    out += `import: ${rep.found.toLocaleString('en-US')} files, ${rep.imported.toLocaleString('en-US')} images, ${rep.skipped.length} skipped, ${rep.fromCache ? 'from the cache' : rep.reused ? `${rep.reused} reused from the cache` : 'decoded'} in ${rep.seconds.toFixed(2)} s${rep.cacheFile ? ` (cache: ${rep.cacheFile})` : ''}\n`;
  }
  if (r.columns.length) {
    out += '\ncolumns:\n';
    const rows = [['name', 'role', 'type', 'missing', 'distinct', 'summary']];
    for (const c of r.columns) {
      const summary = c.stats
        ? `min ${fmt(c.stats.min)}  max ${fmt(c.stats.max)}  mean ${fmt(c.stats.mean)}  std ${fmt(c.stats.std)}`
        : c.categories
          ? c.categories.slice(0, 6).map((k) => `${k.value} ${k.count}`).join(', ') + (c.categories.length > 6 || c.moreCategories ? `, … (${c.distinct} in all)` : '')
          : '';
      rows.push([c.name, c.role, c.type, String(c.missing), String(c.distinct), summary]);
    }
    out += table(rows);
  }
  if (r.classes.length) {
    out += `\nclasses (${r.classes.length}):\n`;
    out += table(r.classes.map((c) => [c.name, c.count.toLocaleString('en-US')]));
    if (r.imbalance) out += `  largest/smallest: ${fmt(r.imbalance.ratio)}\n`;
  }
  if (r.target) out += `\ntarget: min ${fmt(r.target.min)}  max ${fmt(r.target.max)}  mean ${fmt(r.target.mean)}  std ${fmt(r.target.std)}\n`;
  if (r.firstRows.length) {
    out += `\nfirst ${r.firstRows.length} rows:\n`;
    out += table([r.header, ...r.firstRows.map((row) => row.map((v) => (v.length > 24 ? v.slice(0, 23) + '…' : v)))]);
  }
  if (r.sampleImages.length) out += `\nsample images: ${r.sampleImages.map((s) => s.file).slice(0, 8).join(', ')}${r.sampleImages.length > 8 ? ', …' : ''}\n`;
  out += r.problems.length ? `\nproblems (${r.problems.length}):\n` + r.problems.map((p) => `  ${p.severity}: ${p.message}\n`).join('') : '\nno problems found\n';
  return out;
}

export async function runDataset(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...spec.options, help: { type: 'boolean' }, debug: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`dataset: ${(e as Error).message.split('\n')[0]} (see \`glasswing dataset --help\`)`);
  }
  const flags = parsed.values;
  if (flags.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  const [sub, ref, ...extra] = parsed.positionals;
  if (sub !== 'inspect') throw new CliError(sub ? `dataset: unknown sub-command "${sub}"; the sub-command is inspect (see \`glasswing dataset --help\`).` : 'dataset: give a sub-command: glasswing dataset inspect PATH (see `glasswing dataset --help`).');
  if (!ref) throw new CliError('dataset inspect: give the dataset: a CSV/TSV file, an image folder, iris or mnist.');
  if (extra.length) throw new CliError(`dataset inspect: unexpected argument "${extra[0]}"; give one dataset.`);
  if (flags.color && flags.color !== 'grayscale' && flags.color !== 'rgb') throw new CliError(`--color must be grayscale or rgb; got "${flags.color}".`);
  if (flags.task && flags.task !== 'classification' && flags.task !== 'regression') throw new CliError(`--task must be classification or regression; got "${flags.task}".`);
  const size = parseImageSize(flags['image-size']);
  const json = !!flags.json;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const showProgress = !json && process.stderr.isTTY;
  let result: DatasetInspection;
  try {
    result = await inspectDataset(ref, {
      labelColumn: flags.label,
      categorical: list(flags.categorical),
      ignore: list(flags.ignore),
      badValues: badValuesFromFlags(flags),
      task: flags.task as Task | undefined,
      ...size,
      color: flags.color as 'grayscale' | 'rgb' | undefined,
      cacheDir: flags['no-cache'] ? false : undefined,
      signal: controller.signal,
      onProgress: showProgress
        ? (done, total, p) => {
            const eta = p.etaSeconds === null ? '' : `, ${Math.ceil(p.etaSeconds)} s left`;
            process.stderr.write(`\r${p.phase === 'cached' ? 'read from the cache' : 'decoding'} ${done}/${total} (${Math.round(p.rate)}/s${eta})\x1b[K`);
            if (p.phase === 'done' || p.phase === 'cached') process.stderr.write('\n');
          }
        : undefined,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (json) {
    // Sample images come as PNG data URLs.
    process.stdout.write(JSON.stringify(result) + '\n');
  } else process.stdout.write(formatInspection(result));
  if (!result.ok) {
    const first = result.problems.find((p) => p.severity === 'error');
    const hint = first?.fixes?.length ? ` (${fixFlags(first.fixes)})` : '';
    process.stderr.write(`glasswing: ${first?.message ?? 'the dataset does not load'}${hint}\n`);
    return 2;
  }
  return 0;
}
