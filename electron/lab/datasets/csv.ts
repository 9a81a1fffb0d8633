/**
 * CSV import: numeric feature columns plus one label column (numbers or names). The header is
 * optional and detected: a first row with a non-numeric feature cell is a header. Every error names
 * the file, line and column, so a person can find and fix the cell.
 */

export interface CsvDataset {
  x: Float32Array;
  y: Int32Array;
  featureNames: string[];
  classNames: string[];
  numClasses: number;
}

/** Parses CSV text; `labelColumn` is a header name or a 0-based index (default: the last column). */
export function parseCsv(text: string, fileName: string, labelColumn?: string | number): CsvDataset {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: Array<{ line: number; cells: string[] }> = [];
  lines.forEach((raw, i) => {
    if (raw.trim() !== '') rows.push({ line: i + 1, cells: splitRow(raw, fileName, i + 1) });
  });
  if (rows.length === 0) throw new Error(`${fileName} is empty`);
  const width = rows[0]!.cells.length;
  if (width < 2) throw new Error(`${fileName}, line ${rows[0]!.line}: found 1 column; expected at least one feature and a label column`);
  for (const row of rows) {
    if (row.cells.length !== width) throw new Error(`${fileName}, line ${row.line}: has ${row.cells.length} columns, expected ${width}`);
  }

  const first = rows[0]!.cells;
  const hasHeader = first.some((cell) => cell.trim() === '' || !Number.isFinite(Number(cell)));
  // With a header a non-numeric cell might be the label; decide by the label column below.
  const header = hasHeader ? first.map((c) => c.trim()) : first.map((_, i) => `column ${i + 1}`);
  let labelIndex: number;
  if (labelColumn === undefined) labelIndex = width - 1;
  else if (typeof labelColumn === 'number') labelIndex = labelColumn;
  else {
    labelIndex = header.indexOf(labelColumn);
    if (labelIndex < 0) throw new Error(`${fileName}: no column named "${labelColumn}" (columns: ${header.join(', ')})`);
  }
  if (labelIndex < 0 || labelIndex >= width) throw new Error(`${fileName}: label column ${labelIndex} does not exist (the file has ${width} columns)`);

  // A first row whose only non-numeric cell is the label is data, not a header.
  const firstIsHeader = hasHeader && first.some((cell, i) => i !== labelIndex && (cell.trim() === '' || !Number.isFinite(Number(cell))));
  const dataRows = firstIsHeader ? rows.slice(1) : rows;
  const names = firstIsHeader ? header : first.map((_, i) => `column ${i + 1}`);
  if (dataRows.length === 0) throw new Error(`${fileName} has a header but no data rows`);

  const features = width - 1;
  const x = new Float32Array(dataRows.length * features);
  const rawLabels: string[] = [];
  dataRows.forEach((row, r) => {
    let f = 0;
    row.cells.forEach((cell, c) => {
      if (c === labelIndex) {
        const label = cell.trim();
        if (label === '') throw new Error(`${fileName}, line ${row.line}, column ${c + 1} (${names[c]}): the label is empty`);
        rawLabels.push(label);
        return;
      }
      const trimmed = cell.trim();
      const value = Number(trimmed);
      if (trimmed === '' || Number.isNaN(value)) {
        throw new Error(`${fileName}, line ${row.line}, column ${c + 1} (${names[c]}): "${cell}" is not a number`);
      }
      if (!Number.isFinite(value) || Math.abs(value) > 3.4e38) {
        throw new Error(`${fileName}, line ${row.line}, column ${c + 1} (${names[c]}): ${trimmed} is not a finite number`);
      }
      x[r * features + f++] = value;
    });
  });

  // Numeric labels keep their numeric order; names are sorted so the mapping is reproducible.
  const numeric = rawLabels.every((label) => Number.isFinite(Number(label)));
  const classNames = [...new Set(rawLabels)].sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  if (classNames.length < 2) throw new Error(`${fileName}: the label column has only one class ("${classNames[0]}"); at least 2 are needed`);
  if (classNames.length > 100) throw new Error(`${fileName}: the label column has ${classNames.length} distinct values; at most 100 classes are supported`);
  const index = new Map(classNames.map((name, i) => [name, i]));
  const y = Int32Array.from(rawLabels, (label) => index.get(label)!);
  return { x, y, featureNames: names.filter((_, i) => i !== labelIndex), classNames, numClasses: classNames.length };
}

/** Splits one CSV line, honouring double-quoted cells ("a,b" and "" escapes). */
function splitRow(line: string, fileName: string, lineNumber: number): string[] {
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
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new Error(`${fileName}, line ${lineNumber}: a quoted cell is not closed`);
  cells.push(cell);
  return cells;
}
