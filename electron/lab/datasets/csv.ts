/**
 * CSV import: numeric feature columns plus one label column (numbers or names). The header is
 * optional and detected; the delimiter (comma, semicolon or tab) is detected from the first line.
 * Every error names the file, line and column, so a person can find and fix the cell.
 *
 * Limits, on purpose: a quoted cell cannot span lines, and every feature must be a finite number
 * (no missing values) — the lab trains on exactly what the file says, so it refuses to guess.
 */
import { MAX_CLASSES, type Examples } from './examples';

export interface CsvDataset extends Examples {
  x: Float32Array;
  featureNames: string[];
  classNames: string[];
  /** The delimiter found and whether the first line was a header, for the import summary. */
  delimiter: ',' | ';' | '\t';
  hasHeader: boolean;
}

const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Parses CSV text. `labelColumn` is a header name or a 0-based column index; by default the label
 * is the last column. String labels become classes 0..k−1 in sorted order; numeric labels keep
 * their numeric order. One pass, keeping only the features (as float32) and the label strings, so
 * a file of a hundred megabytes doesn't need gigabytes of cell strings.
 */
export function parseCsv(text: string, fileName: string, labelColumn?: string | number): CsvDataset {
  const lines = lineReader(text.replace(/^\uFEFF/, ''));
  let first = lines.next();
  while (first && first.text.trim() === '') first = lines.next();
  if (!first) throw new Error(`${fileName} is empty`);
  const delimiter = sniffDelimiter(first.text);
  const firstCells = splitRow(first.text, delimiter, fileName, first.line).map((cell) => cell.trim());
  const width = firstCells.length;
  if (width < 2) {
    throw new Error(`${fileName}, line ${first.line}: found 1 column; expected at least one feature column and a label column, separated by commas, semicolons or tabs`);
  }
  const labelIndex = findLabelColumn(firstCells, labelColumn, fileName);
  // A header is certain when a feature cell of the first line is text (or the label is chosen by
  // name); when only its label cell is text, it is a header if every other label is a number
  // ("x,y,label" over numeric labels), which is known after the pass.
  const certainHeader = typeof labelColumn === 'string' || firstCells.some((cell, i) => i !== labelIndex && isText(cell));
  const maybeHeader = !certainHeader && isText(firstCells[labelIndex]!);
  const headerNames = firstCells.map((name, i) => name || `column ${i + 1}`);
  const names = certainHeader ? headerNames : firstCells.map((_, i) => `column ${i + 1}`);

  const features = width - 1;
  const readRow = (cells: string[], line: number, into: GrowingFloat32, labels: string[]) => {
    for (let c = 0; c < width; c++) {
      const cell = cells[c]!.trim();
      if (c === labelIndex) {
        if (cell === '') throw new Error(`${fileName}, line ${line}, column ${c + 1} (${names[c]}): the label is empty`);
        labels.push(cell);
      } else into.push(parseFeature(cell, () => `${fileName}, line ${line}, column ${c + 1} (${names[c]})`));
    }
  };
  const x = new GrowingFloat32(features * Math.ceil(text.length / (first.text.length + 1)));
  const labels: string[] = [];
  let otherLabelsNumeric = true;
  for (let row = lines.next(); row; row = lines.next()) {
    if (row.text.trim() === '') continue;
    const cells = splitRow(row.text, delimiter, fileName, row.line);
    if (cells.length !== width) throw new Error(`${fileName}, line ${row.line}: has ${cells.length} columns, expected ${width} (as on line ${first.line})`);
    readRow(cells, row.line, x, labels);
    if (otherLabelsNumeric && !isNumber(labels[labels.length - 1]!)) otherLabelsNumeric = false;
  }
  const hasHeader = certainHeader || (maybeHeader && labels.length > 0 && otherLabelsNumeric);
  if (hasHeader && labels.length === 0) throw new Error(`${fileName} has a header but no data rows`);
  let values: Float32Array;
  if (hasHeader) values = x.array().slice();
  else {
    // The first line was data after all: read it (its errors name its line) and put it in front.
    const head = new GrowingFloat32(features);
    const headLabel: string[] = [];
    readRow(firstCells, first.line, head, headLabel);
    const rest = x.array();
    values = new Float32Array(rest.length + features);
    values.set(head.array());
    values.set(rest, features);
    labels.unshift(headLabel[0]!);
  }
  const finalNames = hasHeader ? headerNames : names;
  const { classNames, y } = mapLabels(labels, `${fileName}, column ${labelIndex + 1} (${finalNames[labelIndex]})`);
  return {
    x: values,
    xScale: 1,
    y,
    inputShape: [features],
    featureNames: finalNames.filter((_, i) => i !== labelIndex),
    classNames,
    numClasses: classNames.length,
    delimiter,
    hasHeader,
  };
}

/** A feature cell as a finite number that fits a float32, or an error saying what is wrong. */
function parseFeature(cell: string, where: () => string): number {
  if (cell === '') throw new Error(`${where()}: the cell is empty; every feature needs a number`);
  if (NOT_FINITE.test(cell)) throw new Error(`${where()}: ${cell} is not allowed; features must be finite numbers`);
  const value = Number(cell);
  if (Number.isNaN(value)) throw new Error(`${where()}: "${cell}" is not a number`);
  if (Math.abs(value) > FLOAT32_MAX) throw new Error(`${where()}: ${cell} is too large (the lab stores 32-bit floats, up to about 3.4e38)`);
  return value;
}

/** The label column's index from a name (needs a header), a 0-based index, or the last column. */
function findLabelColumn(first: string[], labelColumn: string | number | undefined, fileName: string): number {
  const width = first.length;
  if (labelColumn === undefined) return width - 1;
  if (typeof labelColumn === 'number') {
    if (!Number.isInteger(labelColumn) || labelColumn < 0 || labelColumn >= width) {
      throw new Error(`${fileName}: there is no label column ${labelColumn}; columns are numbered from 0 and the file has ${width} (0 to ${width - 1})`);
    }
    return labelColumn;
  }
  const index = first.indexOf(labelColumn.trim());
  if (index < 0) {
    const headerHint = first.some(isText) ? `columns: ${first.join(', ')}` : 'the first line is data, not a header; choose the label column by number (from 0)';
    throw new Error(`${fileName}: no column named "${labelColumn}" (${headerHint})`);
  }
  return index;
}

/** Lines with their 1-based numbers (\n, \r\n or \r), without splitting the whole text first. */
function lineReader(text: string): { next(): { text: string; line: number } | null } {
  const breaks = /\r\n|\n|\r/g;
  let start = 0;
  let line = 0;
  return {
    next() {
      if (start > text.length) return null;
      const match = breaks.exec(text);
      const end = match ? match.index : text.length;
      const row = { text: text.slice(start, end), line: ++line };
      start = match ? end + match[0].length : text.length + 1;
      return row;
    },
  };
}

/** A Float32Array that doubles its capacity as values are pushed. */
class GrowingFloat32 {
  private data: Float32Array;
  private length = 0;
  constructor(capacity: number) {
    this.data = new Float32Array(Math.max(16, capacity));
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  /** The values pushed so far (a view, not a copy). */
  array(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

function isText(cell: string): boolean {
  return cell !== '' && !isNumber(cell);
}

function isNumber(cell: string): boolean {
  return cell !== '' && !Number.isNaN(Number(cell));
}

/**
 * Labels to classes 0..k−1. Numeric labels are compared as numbers ("1" and "1.0" are one class)
 * and keep their order; names are sorted so the mapping never depends on row order.
 */
function mapLabels(rawLabels: string[], where: string): { classNames: string[]; y: Int32Array } {
  const numeric = rawLabels.every(isNumber);
  const canonical = numeric ? rawLabels.map((label) => String(Number(label))) : rawLabels;
  const distinct = [...new Set(canonical)];
  const classNames = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
  if (classNames.length < 2) throw new Error(`${where}: the label column has only one class ("${classNames[0]}"); at least 2 are needed`);
  if (classNames.length > MAX_CLASSES) {
    throw new Error(`${where}: the label column has ${classNames.length} distinct values; at most ${MAX_CLASSES} classes are supported — is this the right label column?`);
  }
  const index = new Map(classNames.map((name, i) => [name, i]));
  return { classNames, y: Int32Array.from(canonical, (label) => index.get(label)!) };
}

/** The delimiter that occurs most often outside quotes on the first line (comma when none does). */
function sniffDelimiter(line: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  const best = (Object.keys(counts) as Array<keyof typeof counts>).reduce((a, b) => (counts[b] > counts[a] ? b : a), ',');
  return best;
}

/** Splits one CSV line, honouring double-quoted cells ("a,b" and "" escapes). */
function splitRow(line: string, delimiter: string, fileName: string, lineNumber: number): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new Error(`${fileName}, line ${lineNumber}: a quoted cell is not closed (cells cannot span lines)`);
  cells.push(cell);
  return cells;
}
