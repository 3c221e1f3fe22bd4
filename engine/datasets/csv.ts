// CSV/TSV tables: delimiter and quoting detected, a header row, a label column chosen by name
// (the last column by default), numeric and categorical feature columns. Every problem names the
// file, line and column.
import type { DatasetFix } from '../../common/ipc/contract';
import { DataError, type Dataset, type TableColumnData, type Task } from './dataset';

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  fields: string[];
}

export interface ParsedTable {
  header: string[];
  /** Data rows with the 1-based line number they came from. */
  rows: CsvRecord[];
  delimiter: string;
}

const DELIMITERS = [',', '\t', ';', '|'];

function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    // Delimiters inside quotes do not count.
    let count = 0;
    let quoted = false;
    for (const c of firstLine) {
      if (c === '"') quoted = !quoted;
      else if (c === d && !quoted) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/**
 * RFC 4180 parsing without checking the number of fields per row: quoted fields may hold delimiters,
 * doubled quotes and newlines. Blank lines are skipped. Throws on an empty file or an unclosed quote.
 */
export function parseCsvRecords(text: string, fileName: string): { header: string[]; headerLine: number; rows: CsvRecord[]; delimiter: string } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new DataError(`${fileName} is empty.`);
  if (text.includes('\u0000')) throw new DataError(`${fileName} line 1: the file holds binary data; it is not a CSV or TSV text file.`);
  const firstLineEnd = text.search(/\r?\n/);
  const delimiter = detectDelimiter(firstLineEnd < 0 ? text : text.slice(0, firstLineEnd));
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  // Unquoted runs are sliced out of the text, not built character by character.
  let start = 0;
  let field = '';
  const n = text.length;
  const endRecord = () => {
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += text.slice(start, i + 1);
          i++;
          start = i + 1;
        } else {
          field += text.slice(start, i);
          inQuotes = false;
          start = i + 1;
        }
      } else if (c === 10) line++;
      continue;
    }
    if (c === 34 && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
      start = i + 1;
    } else if (text[i] === delimiter) {
      fields.push(field + text.slice(start, i));
      field = '';
      fieldStarted = false;
      start = i + 1;
    } else if (c === 10 || c === 13) {
      fields.push(field + text.slice(start, i));
      field = '';
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      endRecord();
      fieldStarted = false;
      line++;
      recordLine = line;
      start = i + 1;
    } else if (!fieldStarted && c !== 32 && c !== 9) {
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new DataError(`${fileName} line ${recordLine}: a quoted field is never closed.`);
  if (start < n || fields.length > 0 || field !== '') {
    fields.push(field + text.slice(start));
    endRecord();
  }
  const [head, ...rows] = records;
  if (!head) throw new DataError(`${fileName} is empty.`);
  const header = head.fields.map((h, i) => h.trim() || `column ${i + 1}`);
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    const before = seen.get(h);
    if (before !== undefined) throw new DataError(`${fileName} line ${head.line}: the column name "${h}" appears twice (columns ${before + 1} and ${i + 1}).`);
    seen.set(h, i);
  });
  if (rows.length === 0) throw new DataError(`${fileName} has a header but no data rows.`);
  return { header, headerLine: head.line, rows, delimiter };
}

export function wrongFieldCountMessage(fileName: string, row: CsvRecord, expected: number): string {
  return `${fileName} line ${row.line} has ${row.fields.length} field${row.fields.length === 1 ? '' : 's'}; the header has ${expected}.`;
}

/** Parses a table and checks every row has as many fields as the header. */
export function parseCsv(text: string, fileName: string): ParsedTable {
  const { header, rows, delimiter } = parseCsvRecords(text, fileName);
  for (const r of rows) if (r.fields.length !== header.length) throw new DataError(wrongFieldCountMessage(fileName, r, header.length));
  return { header, rows, delimiter };
}

/** Values that mean "missing" in a numeric column (as pandas reads them). */
const MISSING_MARKERS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-', '#n/a']);

export function isMissingMarker(raw: string): boolean {
  return MISSING_MARKERS.has(raw.trim().toLowerCase());
}

export function parseNumber(raw: string): number | null {
  const s = raw.trim();
  if (s === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
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
}

export interface ColumnAnalysis {
  index: number;
  name: string;
  role: 'feature' | 'label' | 'ignored';
  type: 'numeric' | 'categorical';
  /** Whether the user forced the column categorical. */
  forced: boolean;
  missing: number;
  distinct: number;
  /** First non-numeric value in a column that is mostly numbers (an error unless forced categorical). */
  badValue: { line: number; raw: string; count: number } | null;
}

export interface TableAnalysis {
  labelIndex: number;
  labelColumn: string;
  columns: ColumnAnalysis[];
  /** Feature columns, in file order. */
  features: ColumnAnalysis[];
}

function checkColumns(names: string[] | undefined, header: string[], fileName: string, what: string): Set<string> {
  const set = new Set(names ?? []);
  for (const c of set) if (!header.includes(c)) throw new DataError(`${fileName} has no column "${c}" (named as ${what}). Its columns are: ${header.join(', ')}.`);
  return set;
}

/**
 * Column roles and types. A column is numeric when its values are numbers (missing markers such as
 * "NA" or "?" aside), categorical when most are not; a mostly-numeric column with a few other values
 * is reported through `badValue`.
 */
export function analyzeTable(table: ParsedTable, fileName: string, options: TableOptions = {}): TableAnalysis {
  const labelColumn = options.labelColumn ?? table.header[table.header.length - 1]!;
  const labelIndex = table.header.indexOf(labelColumn);
  if (labelIndex < 0) throw new DataError(`${fileName} has no column "${labelColumn}" to use as the label. Its columns are: ${table.header.join(', ')}.`);
  const ignore = checkColumns(options.ignore, table.header, fileName, 'a column to ignore');
  const categorical = checkColumns(options.categorical, table.header, fileName, 'a categorical column');
  const columns = table.header.map((name, index): ColumnAnalysis => {
    const role = index === labelIndex ? 'label' : ignore.has(name) ? 'ignored' : 'feature';
    let numbers = 0;
    let others = 0;
    let missing = 0;
    let firstBad: { line: number; raw: string } | null = null;
    const distinct = new Set<string>();
    for (const row of table.rows) {
      const raw = row.fields[index];
      if (raw === undefined) continue;
      const s = raw.trim();
      if (isMissingMarker(s)) {
        missing++;
        if (s !== '' && distinct.size < 100_000) distinct.add(s);
        continue;
      }
      if (distinct.size < 100_000) distinct.add(s);
      if (parseNumber(s) !== null) numbers++;
      else {
        others++;
        firstBad ??= { line: row.line, raw: s };
      }
    }
    const forced = categorical.has(name);
    const type = forced || (others > 0 && others >= numbers) ? 'categorical' : 'numeric';
    return {
      index,
      name,
      role,
      type,
      forced,
      missing: type === 'categorical' ? table.rows.filter((r) => (r.fields[index] ?? '').trim() === '').length : missing,
      distinct: distinct.size,
      badValue: type === 'numeric' && firstBad ? { ...firstBad, count: others } : null,
    };
  });
  return { labelIndex, labelColumn, columns, features: columns.filter((c) => c.role === 'feature') };
}

/** The ways to read a numeric column that holds some non-numbers, with what each one costs. */
export function badValueFixes(c: ColumnAnalysis): DatasetFix[] {
  const rows = c.badValue?.count ?? 0;
  return [
    { option: 'missing', column: c.name, rows },
    { option: 'drop', column: c.name, rows },
    // One input per distinct value replaces the column's one input.
    { option: 'categorical', column: c.name, adds: Math.max(0, c.distinct - 1) },
    { option: 'ignore', column: c.name },
  ];
}

export function badValueMessage(fileName: string, column: string, bad: { line: number; raw: string; count: number }): string {
  const how = bad.count > 1 ? `${bad.count.toLocaleString('en-US')} values in this numeric column are not numbers` : 'it is the only value in this numeric column that is not a number';
  return `${fileName} line ${bad.line}, column "${column}": "${bad.raw.slice(0, 40)}" is not a number (${how}). Treat them as missing values, drop those rows, read the column as categories, or ignore it.`;
}

export function tooManyCategoriesMessage(fileName: string, column: string, distinct: number, max: number): string {
  return `${fileName}, column "${column}": ${distinct.toLocaleString('en-US')} different values are too many to one-hot encode (at most ${max}); it looks like an identifier or free text. Ignore it.`;
}

function compareLabels(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/** Reads one feature column into numbers (NaN = missing) or category codes (-1 = missing). */
function columnData(table: ParsedTable, c: ColumnAnalysis): TableColumnData {
  const n = table.rows.length;
  if (c.type === 'numeric') {
    const values = new Float32Array(n);
    table.rows.forEach((row, r) => {
      const raw = row.fields[c.index]!;
      values[r] = isMissingMarker(raw) ? NaN : (parseNumber(raw) ?? NaN);
    });
    return { name: c.name, type: 'numeric', values, ...(c.badValue ? { nonNumbersMissing: true } : {}) };
  }
  const raws = table.rows.map((row) => row.fields[c.index]!.trim());
  const categories = [...new Set(raws.filter((s) => s !== ''))].sort(compareLabels);
  const index = new Map(categories.map((v, i) => [v, i]));
  const codes = new Int32Array(n);
  raws.forEach((s, r) => (codes[r] = s === '' ? -1 : index.get(s)!));
  return { name: c.name, type: 'categorical', codes, categories };
}

/** Whether a cell of a numeric column holds something other than a number or a missing marker. */
function isBadNumber(raw: string | undefined): boolean {
  return raw !== undefined && !isMissingMarker(raw) && parseNumber(raw) === null;
}

/** Leaves out the rows whose cell in a 'drop' column is not a number (checked against the header). */
function dropBadRows(table: ParsedTable, fileName: string, badValues: Record<string, 'missing' | 'drop'> | undefined): ParsedTable {
  const drop = Object.entries(badValues ?? {}).filter(([, how]) => how === 'drop').map(([column]) => column);
  if (!drop.length) return table;
  const indices = [...checkColumns(drop, table.header, fileName, 'a column whose non-numbers drop their rows')].map((c) => table.header.indexOf(c));
  const rows = table.rows.filter((r) => !indices.some((i) => isBadNumber(r.fields[i])));
  if (rows.length === 0) throw new DataError(`${fileName}: dropping the rows with non-numbers leaves no rows.`);
  return { ...table, rows };
}

/** Turns a parsed table into a dataset: numeric and categorical features and a label. */
export function tableDataset(parsed: ParsedTable, fileName: string, id: string, options: TableOptions = {}): Dataset {
  const table = dropBadRows(parsed, fileName, options.badValues);
  const analysis = analyzeTable(table, fileName, options);
  const { labelIndex, labelColumn, features } = analysis;
  if (features.length === 0) throw new DataError(`${fileName} has no feature columns besides the label "${labelColumn}".`);
  const maxCategories = options.maxCategories ?? 200;
  const asMissing = new Set(Object.entries(options.badValues ?? {}).filter(([, how]) => how === 'missing').map(([column]) => column));
  checkColumns([...asMissing], table.header, fileName, 'a column whose non-numbers are missing values');
  for (const c of features) {
    if (c.badValue && !asMissing.has(c.name)) throw new DataError(badValueMessage(fileName, c.name, c.badValue), badValueFixes(c));
    if (c.type === 'categorical' && c.distinct > maxCategories) throw new DataError(tooManyCategoriesMessage(fileName, c.name, c.distinct, maxCategories), [{ option: 'ignore', column: c.name }]);
  }
  const n = table.rows.length;
  const labels = table.rows.map((r) => r.fields[labelIndex]!.trim());
  const missing = labels.findIndex((l) => l === '');
  if (missing >= 0) throw new DataError(`${fileName} line ${table.rows[missing]!.line}, column "${labelColumn}": the label is missing.`);
  const task = options.task ?? detectTask(labels);
  const y = new Float32Array(n);
  let classes: string[] = [];
  if (task === 'classification') {
    classes = [...new Set(labels)].sort(compareLabels);
    if (classes.length < 2) throw new DataError(`${fileName}, column "${labelColumn}": the label has only one class ("${classes[0]}"); a classifier needs at least two.`);
    const index = new Map(classes.map((c, i) => [c, i]));
    labels.forEach((l, i) => (y[i] = index.get(l)!));
  } else {
    labels.forEach((l, i) => {
      const v = parseNumber(l);
      if (v === null) throw new DataError(`${fileName} line ${table.rows[i]!.line}, column "${labelColumn}": "${l.slice(0, 40)}" is not a number, so the label cannot be a regression target.`);
      y[i] = v;
    });
  }
  const columns = features.map((c) => columnData(table, c));
  const { x, featureNames } = encodeAllCategories(columns, n);
  return {
    id,
    name: fileName,
    kind: 'table',
    task,
    x,
    inputShape: [featureNames.length],
    y,
    classes,
    count: n,
    featureNames,
    fixedPreprocessing: null,
    table: { columns, labelColumn, lines: Int32Array.from(table.rows, (r) => r.line) },
  };
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

/** A label of numbers with many distinct or fractional values is a regression target. */
export function detectTask(labels: string[]): Task {
  const numbers = labels.map(parseNumber);
  if (numbers.some((v) => v === null)) return 'classification';
  const distinct = new Set(numbers);
  const fractional = numbers.some((v) => !Number.isInteger(v));
  return fractional || distinct.size > 20 ? 'regression' : 'classification';
}
