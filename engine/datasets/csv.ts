// CSV/TSV tables: delimiter and quoting detected, a header row, a label column chosen by name
// (the last column by default), numeric and categorical feature columns. Every problem names the
// file, line and column.
import type { DatasetFix } from '../../common/ipc/contract';
import { DataError, MAX_CLASSES, tooManyClassesMessage, type Dataset, type Task } from './dataset';
import { CsvTokenizer, detectDelimiter, type CsvRecord } from './csv-tokenizer';
import { dropBadRows, parseNumber, TableAnalyzer, TableBuilder, type ColumnAnalysis, type TableAnalysis, type TableOptions } from './table-analysis';

export type { CsvRecord } from './csv-tokenizer';

export interface ParsedTable {
  header: string[];
  /** Data rows with the 1-based line number they came from. */
  rows: CsvRecord[];
  delimiter: string;
}

/** The header record as column names: blanks named by position, a repeated name refused. */
export function headerNames(head: CsvRecord, fileName: string): string[] {
  const header = head.fields.map((h, i) => h.trim() || `column ${i + 1}`);
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    const before = seen.get(h);
    if (before !== undefined) throw new DataError(`${fileName} line ${head.line}: the column name "${h}" appears twice (columns ${before + 1} and ${i + 1}).`);
    seen.set(h, i);
  });
  return header;
}

/**
 * RFC 4180 parsing of a whole text without checking the number of fields per row (see
 * csv-tokenizer.ts). Throws on an empty file or an unclosed quote.
 */
export function parseCsvRecords(text: string, fileName: string): { header: string[]; headerLine: number; rows: CsvRecord[]; delimiter: string } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new DataError(`${fileName} is empty.`);
  if (text.includes('\u0000')) throw new DataError(`${fileName} line 1: the file holds binary data; it is not a CSV or TSV text file.`);
  const firstLineEnd = text.search(/\r?\n/);
  const delimiter = detectDelimiter(firstLineEnd < 0 ? text : text.slice(0, firstLineEnd));
  const records: CsvRecord[] = [];
  const tokenizer = new CsvTokenizer(delimiter);
  const push = (r: CsvRecord) => records.push(r);
  tokenizer.feed(text, push);
  if (!tokenizer.end(push)) throw new DataError(`${fileName} line ${tokenizer.openRecordLine}: a quoted field is never closed.`);
  const [head, ...rows] = records;
  if (!head) throw new DataError(`${fileName} is empty.`);
  const header = headerNames(head, fileName);
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

export { isMissingMarker, parseNumber, type TableOptions, type ColumnAnalysis, type TableAnalysis } from './table-analysis';

/** Column roles, types and statistics of a parsed table (see TableAnalyzer). */
export function analyzeTable(table: ParsedTable, fileName: string, options: TableOptions = {}): TableAnalysis {
  const analyzer = new TableAnalyzer(table.header, fileName, options);
  for (const r of table.rows) analyzer.add(r);
  return analyzer.finish();
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

/**
 * Checks a table's analysis before its values are read: features exist, numeric columns hold
 * numbers (or the person chose how to read the others), categorical columns are not identifiers,
 * every row has a label, a classifier has two classes.
 */
export function checkAnalysis(analysis: TableAnalysis, fileName: string, options: TableOptions = {}): void {
  const { labelColumn, features } = analysis;
  if (features.length === 0) throw new DataError(`${fileName} has no feature columns besides the label "${labelColumn}".`);
  const maxCategories = options.maxCategories ?? 200;
  const asMissing = new Set(Object.entries(options.badValues ?? {}).filter(([, how]) => how === 'missing').map(([column]) => column));
  for (const column of asMissing) if (!analysis.columns.some((c) => c.name === column)) throw new DataError(`${fileName} has no column "${column}" (named as a column whose non-numbers are missing values).`);
  const comma = features.find((c) => c.decimalComma);
  if (comma) throw new DataError(decimalCommaMessage(fileName, comma.name, comma.decimalComma!), [{ option: 'categorical', column: comma.name, adds: Math.max(0, comma.distinct - 1) }]);
  for (const c of features) {
    if (c.badValue && !asMissing.has(c.name)) throw new DataError(badValueMessage(fileName, c.name, c.badValue), badValueFixes(c));
    if (c.type === 'categorical' && c.distinct > maxCategories) throw new DataError(tooManyCategoriesMessage(fileName, c.name, c.distinct, maxCategories), [{ option: 'ignore', column: c.name }]);
  }
  const label = analysis.label;
  if (label.missingLine !== null) throw new DataError(`${fileName} line ${label.missingLine}, column "${labelColumn}": the label is missing.`);
  if (label.strayNonNumbers) throw new DataError(strayLabelsMessage(fileName, labelColumn, label.strayNonNumbers, analysis.rows));
  if (label.task === 'classification' && label.classes.length > MAX_CLASSES) throw new DataError(tooManyClassesMessage(fileName, label.classes.length, labelColumn));
  if (label.task === 'classification' && label.classes.length < (options.oneClassAllowed ? 1 : 2)) {
    throw new DataError(`${fileName}, column "${labelColumn}": the label has only one class ("${label.classes[0]?.name ?? ''}"); a classifier needs at least two.`);
  }
  if (label.task === 'regression' && label.notNumber) {
    throw new DataError(`${fileName} line ${label.notNumber.line}, column "${labelColumn}": "${label.notNumber.raw.slice(0, 40)}" is not a number, so the label cannot be a regression target.`);
  }
}

/** Turns a parsed table into a dataset: numeric and categorical features and a label. */
export function tableDataset(parsed: ParsedTable, fileName: string, id: string, options: TableOptions = {}): Dataset {
  const drop = dropBadRows(parsed.header, fileName, options.badValues);
  const rows = drop ? parsed.rows.filter((r) => !drop(r)) : parsed.rows;
  if (rows.length === 0) throw new DataError(`${fileName}: dropping the rows with non-numbers leaves no rows.`);
  const analysis = analyzeTable({ ...parsed, rows }, fileName, options);
  checkAnalysis(analysis, fileName, options);
  const builder = new TableBuilder(analysis, fileName);
  for (const r of rows) builder.add(r);
  return builder.dataset(id, fileName);
}

/** A label of numbers with many distinct or fractional values is a regression target. */
export function detectTask(labels: string[]): Task {
  const numbers = labels.map(parseNumber);
  if (numbers.some((v) => v === null)) return 'classification';
  const distinct = new Set(numbers);
  const fractional = numbers.some((v) => !Number.isInteger(v));
  return fractional || distinct.size > 20 ? 'regression' : 'classification';
}

/** A regression target with a few labels that are not numbers: where, and the two ways on. */
export function strayLabelsMessage(fileName: string, labelColumn: string, stray: { line: number; raw: string; count: number }, rows: number): string {
  return `${fileName} line ${stray.line}, column "${labelColumn}": "${stray.raw.slice(0, 40)}" is not a number${stray.count === 1 ? '' : stray.count === 2 ? ', nor is 1 other label' : `, nor are ${stray.count - 1} other labels`}, while the other ${(rows - stray.count).toLocaleString('en-US')} are numbers, as a regression target's are. Correct or remove ${stray.count === 1 ? 'that row' : 'those rows'} (the command line's --task classification makes each distinct value a class instead).`;
}

/** Numbers written with a decimal comma: Glasswing reads decimal points (a "1,5" could also be a list). */
export function decimalCommaMessage(fileName: string, column: string, example: string): string {
  return `${fileName}, column "${column}": values like "${example}" are numbers written with a decimal comma; Glasswing reads numbers with a decimal point. Save the file with decimal points (pandas: to_csv(decimal=".")), or read the column as categories.`;
}
