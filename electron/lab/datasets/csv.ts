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

interface Row {
  line: number;
  cells: string[];
}

const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Parses CSV text. `labelColumn` is a header name or a 0-based column index; by default the label
 * is the last column. String labels become classes 0..k−1 in sorted order; numeric labels keep
 * their numeric order.
 */
export function parseCsv(text: string, fileName: string, labelColumn?: string | number): CsvDataset {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  const firstLine = lines.find((line) => line.trim() !== '');
  if (firstLine === undefined) throw new Error(`${fileName} is empty`);
  const delimiter = sniffDelimiter(firstLine);
  const rows: Row[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() !== '') rows.push({ line: i + 1, cells: splitRow(raw, delimiter, fileName, i + 1) });
  });
  const width = rows[0]!.cells.length;
  if (width < 2) {
    throw new Error(`${fileName}, line ${rows[0]!.line}: found 1 column; expected at least one feature column and a label column, separated by commas, semicolons or tabs`);
  }
  for (const row of rows) {
    if (row.cells.length !== width) throw new Error(`${fileName}, line ${row.line}: has ${row.cells.length} columns, expected ${width} (as on line ${rows[0]!.line})`);
  }

  const first = rows[0]!.cells.map((cell) => cell.trim());
  const labelIndex = findLabelColumn(first, rows, labelColumn, fileName);
  const hasHeader = typeof labelColumn === 'string' || looksLikeHeader(first, rows, labelIndex);
  const dataRows = hasHeader ? rows.slice(1) : rows;
  const names = hasHeader ? first.map((name, i) => name || `column ${i + 1}`) : first.map((_, i) => `column ${i + 1}`);
  if (dataRows.length === 0) throw new Error(`${fileName} has a header but no data rows`);

  const features = width - 1;
  const x = new Float32Array(dataRows.length * features);
  const rawLabels: string[] = new Array(dataRows.length);
  dataRows.forEach((row, r) => {
    let f = 0;
    row.cells.forEach((cell, c) => {
      const where = `${fileName}, line ${row.line}, column ${c + 1} (${names[c]})`;
      const trimmed = cell.trim();
      if (c === labelIndex) {
        if (trimmed === '') throw new Error(`${where}: the label is empty`);
        rawLabels[r] = trimmed;
        return;
      }
      if (trimmed === '') throw new Error(`${where}: the cell is empty; every feature needs a number`);
      if (NOT_FINITE.test(trimmed)) throw new Error(`${where}: ${trimmed} is not allowed; features must be finite numbers`);
      const value = Number(trimmed);
      if (Number.isNaN(value)) throw new Error(`${where}: "${trimmed}" is not a number`);
      if (Math.abs(value) > FLOAT32_MAX) throw new Error(`${where}: ${trimmed} is too large (the lab stores 32-bit floats, up to about 3.4e38)`);
      x[r * features + f++] = value;
    });
  });

  const { classNames, y } = mapLabels(rawLabels, `${fileName}, column ${labelIndex + 1} (${names[labelIndex]})`);
  return {
    x,
    xScale: 1,
    y,
    inputShape: [features],
    featureNames: names.filter((_, i) => i !== labelIndex),
    classNames,
    numClasses: classNames.length,
    delimiter,
    hasHeader,
  };
}

/** The label column's index from a name (needs a header), a 0-based index, or the last column. */
function findLabelColumn(first: string[], rows: Row[], labelColumn: string | number | undefined, fileName: string): number {
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
    const headerHint = looksLikeHeader(first, rows, width - 1) ? `columns: ${first.join(', ')}` : 'the first line is data, not a header; choose the label column by number (from 0)';
    throw new Error(`${fileName}: no column named "${labelColumn}" (${headerHint})`);
  }
  return index;
}

/**
 * A first line is a header when one of its feature cells is text, or when only its label cell is
 * text while every other row's label is a number ("x,y,label" over numeric labels).
 */
function looksLikeHeader(first: string[], rows: Row[], labelIndex: number): boolean {
  const isText = (cell: string) => cell !== '' && !isNumber(cell);
  if (first.some((cell, i) => i !== labelIndex && isText(cell))) return true;
  const label = first[labelIndex]!;
  return isText(label) && rows.length > 1 && rows.slice(1).every((row) => isNumber(row.cells[labelIndex]!.trim()));
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
