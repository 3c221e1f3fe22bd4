// A table read in two passes over its records, without keeping them: the first pass learns each
// column (numbers or categories, missing values, non-numbers, statistics, distinct values) and
// the label (classes or a numeric target); the second fills typed arrays. The same two classes
// serve a table parsed from text and a file streamed from disk, so a 200 MB CSV needs memory for
// its numbers, not for millions of strings.
import type { ColumnStats } from '../../common/ipc/contract';
import type { CsvRecord } from './csv-tokenizer';
import { DataError, type Dataset, type TableColumnData, type Task } from './dataset';

/** Values that mean "missing" in a numeric column (as pandas reads them). */
const MISSING_MARKERS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-', '#n/a']);

export function isMissingMarker(raw: string): boolean {
  const s = raw.trim();
  // Markers are short: most values (numbers, words) are decided by their length alone.
  return s.length <= 4 && MISSING_MARKERS.has(s.toLowerCase());
}

export function parseNumber(raw: string): number | null {
  const s = raw.trim();
  if (s === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/** Whether a cell of a numeric column holds something other than a number or a missing marker. */
export function isBadNumber(raw: string | undefined): boolean {
  return raw !== undefined && !isMissingMarker(raw) && parseNumber(raw) === null;
}

/** Sorts labels and categories as a person expects: numbers by value, words alphabetically. */
export function compareLabels(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

export interface TableOptions {
  labelColumn?: string;
  /** Columns left out of the features. */
  ignore?: string[];
  /** Columns treated as categories even when their values look like numbers (or hold a few non-numbers). */
  categorical?: string[];
  /** Overrides task detection. */
  task?: Task;
  /** A categorical column with more different values than this is refused (default 200). */
  maxCategories?: number;
  /**
   * Numeric columns with cells that are not numbers: 'missing' reads those cells as missing values
   * (filled with the training split's mean, at training and at prediction); 'drop' leaves their
   * rows out.
   */
  badValues?: Record<string, 'missing' | 'drop'>;
  /** A label with a single class is fine (evaluating a trained classifier on data of one class); training needs two. */
  oneClassAllowed?: boolean;
}

export interface ColumnAnalysis {
  index: number;
  name: string;
  role: 'feature' | 'label' | 'ignored';
  type: 'numeric' | 'categorical';
  /** Whether the user forced the column categorical. */
  forced: boolean;
  missing: number;
  /** Distinct values (strings as written; at most 100,000 are counted). */
  distinct: number;
  /** First non-numeric value in a column that is mostly numbers (an error unless forced categorical). */
  badValue: { line: number; raw: string; count: number } | null;
  /** Numbers in the column (numeric columns): their statistics. */
  stats: ColumnStats | null;
  /** Categorical columns: every category with its count, most frequent first (at most 10,000 kept). */
  categoryCounts: [string, number][];
  moreCategories: number;
  /**
   * A categorical column (not forced) whose values are numbers written with a decimal comma
   * ("5,1"), as spreadsheets in many languages save them: one such value, or null.
   */
  decimalComma: string | null;
}

export interface LabelAnalysis {
  column: string;
  index: number;
  /** The first row whose label is empty. */
  missingLine: number | null;
  task: Task;
  /** Classification: the classes, sorted, with their counts. */
  classes: { name: string; count: number }[];
  /** Regression: statistics of the target. */
  target: ColumnStats | null;
  /** Regression: the first label that is not a number. */
  notNumber: { line: number; raw: string } | null;
  /**
   * Detected as classification only because a few labels are not numbers, while the rest are a
   * regression target's (fractional, or more than 20 distinct values): the first of those few, and
   * how many there are. Null when the task was given.
   */
  strayNonNumbers: { line: number; raw: string; count: number } | null;
}

export interface TableAnalysis {
  labelIndex: number;
  labelColumn: string;
  columns: ColumnAnalysis[];
  /** Feature columns, in file order. */
  features: ColumnAnalysis[];
  label: LabelAnalysis;
  /** Rows seen (after rows dropped by a 'drop' fix). */
  rows: number;
}

const DISTINCT_CAP = 100_000;
const CATEGORY_COUNT_CAP = 10_000;

class RunningStats {
  count = 0;
  min = Infinity;
  max = -Infinity;
  private mean = 0;
  private m2 = 0;
  add(v: number): void {
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    // Welford: stable for millions of values.
    const d = v - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (v - this.mean);
  }
  result(): ColumnStats | null {
    return this.count ? { min: this.min, max: this.max, mean: this.mean, std: Math.sqrt(this.m2 / this.count) } : null;
  }
}

const DECIMAL_COMMA = /^[-+]?\d+,\d+$/;

/** One of `counts`' values if (nearly) all of them are numbers with a decimal comma; else null. */
function decimalCommaValue(counts: [string, number][]): string | null {
  let comma = 0, other = 0, example: string | null = null;
  for (const [value, n] of counts) {
    if (DECIMAL_COMMA.test(value)) {
      comma += n;
      example ??= value;
    } else if (parseNumber(value) === null) other += n;
  }
  return comma > 0 && comma >= 0.9 * (comma + other) ? example : null;
}

class ColumnAccumulator {
  numbers = 0;
  others = 0;
  missing = 0;
  empty = 0;
  firstBad: { line: number; raw: string } | null = null;
  readonly distinct = new Set<string>();
  readonly stats = new RunningStats();
  readonly counts = new Map<string, number>();
  moreCategories = 0;

  add(raw: string, line: number): void {
    const s = raw.trim();
    if (s === '') this.empty++;
    else {
      const c = this.counts.get(s);
      if (c !== undefined) this.counts.set(s, c + 1);
      else if (this.counts.size < CATEGORY_COUNT_CAP) this.counts.set(s, 1);
      else this.moreCategories++;
    }
    if (s.length <= 4 && MISSING_MARKERS.has(s.toLowerCase())) {
      this.missing++;
      if (s !== '' && this.distinct.size < DISTINCT_CAP) this.distinct.add(s);
      return;
    }
    if (this.distinct.size < DISTINCT_CAP) this.distinct.add(s);
    const v = Number(s);
    if (Number.isFinite(v)) {
      this.numbers++;
      this.stats.add(v);
    } else {
      this.others++;
      this.firstBad ??= { line, raw: s };
    }
  }
}

class LabelAccumulator {
  missingLine: number | null = null;
  readonly counts = new Map<string, number>();
  allNumbers = true;
  fractional = false;
  notNumber: { line: number; raw: string } | null = null;
  nonNumbers = 0;
  readonly stats = new RunningStats();

  add(raw: string, line: number): void {
    const s = raw.trim();
    if (s === '') {
      this.missingLine ??= line;
      return;
    }
    if (this.counts.size < DISTINCT_CAP || this.counts.has(s)) this.counts.set(s, (this.counts.get(s) ?? 0) + 1);
    const v = parseNumber(s);
    if (v === null) {
      this.allNumbers = false;
      this.nonNumbers++;
      this.notNumber ??= { line, raw: s };
    } else {
      if (!Number.isInteger(v)) this.fractional = true;
      this.stats.add(v);
    }
  }
}

function checkColumns(names: string[] | undefined, header: string[], fileName: string, what: string): Set<string> {
  const set = new Set(names ?? []);
  for (const c of set) if (!header.includes(c)) throw new DataError(`${fileName} has no column "${c}" (named as ${what}). Its columns are: ${header.join(', ')}.`);
  return set;
}

/** The first pass: add every record, then `finish()`. */
export class TableAnalyzer {
  private readonly columns: ColumnAccumulator[];
  private readonly label = new LabelAccumulator();
  private readonly labelIndex: number;
  private readonly labelColumn: string;
  private readonly ignore: Set<string>;
  private readonly categorical: Set<string>;
  rows = 0;

  constructor(
    private readonly header: string[],
    private readonly fileName: string,
    private readonly options: TableOptions = {},
  ) {
    this.labelColumn = options.labelColumn ?? header[header.length - 1]!;
    this.labelIndex = header.indexOf(this.labelColumn);
    if (this.labelIndex < 0) throw new DataError(`${fileName} has no column "${this.labelColumn}" to use as the label. Its columns are: ${header.join(', ')}.`);
    this.ignore = checkColumns(options.ignore, header, fileName, 'a column to ignore');
    this.categorical = checkColumns(options.categorical, header, fileName, 'a categorical column');
    this.columns = header.map(() => new ColumnAccumulator());
  }

  add(record: CsvRecord): void {
    this.rows++;
    const f = record.fields;
    for (let j = 0; j < this.columns.length; j++) this.columns[j]!.add(f[j] ?? '', record.line);
    this.label.add(f[this.labelIndex] ?? '', record.line);
  }

  finish(): TableAnalysis {
    const columns = this.header.map((name, index): ColumnAnalysis => {
      const a = this.columns[index]!;
      const role = index === this.labelIndex ? 'label' : this.ignore.has(name) ? 'ignored' : 'feature';
      const forced = this.categorical.has(name);
      const type = forced || (a.others > 0 && a.others >= a.numbers) ? 'categorical' : 'numeric';
      const counts = [...a.counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
      return {
        index,
        name,
        role,
        type,
        forced,
        missing: type === 'categorical' ? a.empty : a.missing,
        distinct: a.distinct.size,
        badValue: type === 'numeric' && a.firstBad ? { ...a.firstBad, count: a.others } : null,
        stats: type === 'numeric' ? a.stats.result() : null,
        categoryCounts: counts,
        moreCategories: a.moreCategories,
        decimalComma: type === 'categorical' && !forced ? decimalCommaValue(counts) : null,
      };
    });
    const l = this.label;
    // A label of numbers with many distinct or fractional values is a regression target.
    const task: Task = this.options.task ?? (l.allNumbers && l.counts.size > 0 && (l.fractional || l.counts.size > 20) ? 'regression' : 'classification');
    const classes = task === 'classification' ? [...l.counts].sort((a, b) => compareLabels(a[0], b[0])).map(([name, count]) => ({ name, count })) : [];
    // A few non-numbers among a regression target's values ("n/a", "high") would otherwise make every
    // distinct number a class.
    const numericDistinct = [...l.counts.keys()].filter((k) => parseNumber(k) !== null).length;
    const stray = !this.options.task && !l.allNumbers && l.notNumber && l.nonNumbers <= Math.max(2, 0.05 * this.rows) && (l.fractional || numericDistinct > 20);
    const strayNonNumbers = stray ? { ...l.notNumber!, count: l.nonNumbers } : null;
    return {
      labelIndex: this.labelIndex,
      labelColumn: this.labelColumn,
      columns,
      features: columns.filter((c) => c.role === 'feature'),
      label: { column: this.labelColumn, index: this.labelIndex, missingLine: l.missingLine, task, classes, target: task === 'regression' ? l.stats.result() : null, notNumber: l.notNumber, strayNonNumbers },
      rows: this.rows,
    };
  }
}

/** Which rows a 'drop' fix leaves out: a predicate on records (checked against the header). */
export function dropBadRows(header: string[], fileName: string, badValues: TableOptions['badValues']): ((r: CsvRecord) => boolean) | null {
  const drop = Object.entries(badValues ?? {}).filter(([, how]) => how === 'drop').map(([column]) => column);
  if (!drop.length) return null;
  const indices = [...checkColumns(drop, header, fileName, 'a column whose non-numbers drop their rows')].map((c) => header.indexOf(c));
  return (r) => indices.some((i) => isBadNumber(r.fields[i]));
}

/** The second pass: add the same records (in the same order), then `dataset()`. */
export class TableBuilder {
  private readonly numeric: Map<number, Float32Array> = new Map();
  private readonly codes: Map<number, { codes: Int32Array; index: Map<string, number> }> = new Map();
  private readonly y: Float32Array;
  private readonly lines: Int32Array;
  private readonly classIndex: Map<string, number>;
  private row = 0;

  constructor(
    private readonly analysis: TableAnalysis,
    private readonly fileName: string,
  ) {
    const n = analysis.rows;
    for (const c of analysis.features) {
      if (c.type === 'numeric') this.numeric.set(c.index, new Float32Array(n));
      else this.codes.set(c.index, { codes: new Int32Array(n), index: new Map(categoriesOf(c).map((v, i) => [v, i])) });
    }
    this.y = new Float32Array(n);
    this.lines = new Int32Array(n);
    this.classIndex = new Map(analysis.label.classes.map((c, i) => [c.name, i]));
  }

  add(record: CsvRecord): void {
    const r = this.row++;
    const f = record.fields;
    this.lines[r] = record.line;
    for (const [j, values] of this.numeric) {
      const raw = f[j] ?? '';
      values[r] = isMissingMarker(raw) ? NaN : (parseNumber(raw) ?? NaN);
    }
    for (const [j, c] of this.codes) {
      const s = (f[j] ?? '').trim();
      c.codes[r] = s === '' ? -1 : (c.index.get(s) ?? -1);
    }
    const label = (f[this.analysis.labelIndex] ?? '').trim();
    if (this.analysis.label.task === 'classification') this.y[r] = this.classIndex.get(label)!;
    else {
      const v = parseNumber(label);
      if (v === null) throw new DataError(`${this.fileName} line ${record.line}, column "${this.analysis.labelColumn}": "${label.slice(0, 40)}" is not a number, so the label cannot be a regression target.`);
      this.y[r] = v;
    }
  }

  dataset(id: string, name: string): Dataset {
    const n = this.row;
    const columns: TableColumnData[] = this.analysis.features.map((c) =>
      c.type === 'numeric'
        ? { name: c.name, type: 'numeric', values: this.numeric.get(c.index)!.subarray(0, n), ...(c.badValue ? { nonNumbersMissing: true } : {}) }
        : { name: c.name, type: 'categorical', codes: this.codes.get(c.index)!.codes.subarray(0, n), categories: categoriesOf(c) },
    );
    const { x, featureNames } = encodeAllCategories(columns, n);
    return {
      id,
      name,
      kind: 'table',
      task: this.analysis.label.task,
      x,
      inputShape: [featureNames.length],
      y: this.y.subarray(0, n),
      classes: this.analysis.label.classes.map((c) => c.name),
      count: n,
      featureNames,
      fixedPreprocessing: null,
      table: { columns, labelColumn: this.analysis.labelColumn, lines: this.lines.subarray(0, n) },
    };
  }
}

/** A categorical column's categories, sorted (every non-empty value; missing markers are categories too). */
export function categoriesOf(c: ColumnAnalysis): string[] {
  return c.categoryCounts.map(([v]) => v).sort(compareLabels);
}

/** Inputs the model gets from the features: one per numeric column, one per category. */
export function inputUnits(analysis: TableAnalysis): number {
  return analysis.features.reduce((sum, c) => sum + (c.type === 'numeric' ? 1 : c.categoryCounts.length), 0);
}

/** Dataset-level encoding: one-hot over every category in the file, missing numbers as the column mean. */
function encodeAllCategories(columns: TableColumnData[], n: number): { x: Float32Array; featureNames: string[] } {
  const featureNames: string[] = [];
  for (const c of columns) {
    if (c.type === 'numeric') featureNames.push(c.name);
    else for (const v of c.categories) featureNames.push(`${c.name}=${v}`);
  }
  const f = featureNames.length;
  const x = new Float32Array(n * f);
  let offset = 0;
  for (const c of columns) {
    if (c.type === 'numeric') {
      let sum = 0;
      let count = 0;
      for (const v of c.values) {
        if (Number.isNaN(v)) continue;
        sum += v;
        count++;
      }
      const fill = count ? sum / count : 0;
      for (let r = 0; r < n; r++) {
        const v = c.values[r]!;
        x[r * f + offset] = Number.isNaN(v) ? fill : v;
      }
      offset++;
    } else {
      for (let r = 0; r < n; r++) if (c.codes[r]! >= 0) x[r * f + offset + c.codes[r]!] = 1;
      offset += c.categories.length;
    }
  }
  return { x, featureNames };
}
