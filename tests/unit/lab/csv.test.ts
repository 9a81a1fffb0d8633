import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../../electron/lab/datasets/csv';

describe('CSV parsing', () => {
  it('detects a header, maps string classes in sorted order and reads features', () => {
    const csv = parseCsv('a,b,species\n1,2,virginica\n3,4.5,setosa\n5,6e-1,virginica\n', 'iris.csv', 'species');
    expect(Array.from(csv.x)).toEqual([1, 2, 3, 4.5, 5, Math.fround(0.6)]);
    expect(Array.from(csv.y)).toEqual([1, 0, 1]);
    expect(csv).toMatchObject({ classNames: ['setosa', 'virginica'], featureNames: ['a', 'b'], numClasses: 2, inputShape: [2], hasHeader: true, delimiter: ',', xScale: 1 });
  });

  it('reads headerless files with the label in the last column by default', () => {
    const csv = parseCsv('0.5,1,1\n0.25,2,0\n', 'plain.csv');
    expect(csv).toMatchObject({ featureNames: ['column 1', 'column 2'], classNames: ['0', '1'], hasHeader: false });
    expect(Array.from(csv.y)).toEqual([1, 0]);
  });

  it('reads headerless files with string labels (the first row is data)', () => {
    const csv = parseCsv('1,2,cat\n3,4,dog\n', 'pets.csv');
    expect(csv.hasHeader).toBe(false);
    expect(Array.from(csv.x)).toEqual([1, 2, 3, 4]);
  });

  it('takes a header whose only text is the label name over numeric labels', () => {
    const csv = parseCsv('1,2,label\n0.5,1,0\n0.5,2,1\n', 'numeric-names.csv');
    expect(csv.hasHeader).toBe(true);
    expect(csv.featureNames).toEqual(['1', '2']);
    expect(csv.y).toHaveLength(2);
  });

  it('chooses the label column by name or by 0-based index, anywhere in the row', () => {
    const text = 'id,class,h\n1,b,5\n2,a,6\n3,b,7\n';
    const byName = parseCsv(text, 't.csv', 'class');
    const byIndex = parseCsv(text, 't.csv', 1);
    expect(byName.featureNames).toEqual(['id', 'h']);
    expect(Array.from(byName.x)).toEqual([1, 5, 2, 6, 3, 7]);
    expect(Array.from(byIndex.y)).toEqual(Array.from(byName.y));
  });

  it('treats numeric labels as numbers: "1" and "1.0" are one class, 2 sorts before 10', () => {
    const csv = parseCsv('x,y\n1,10\n2,2\n3,2.0\n4,10\n', 'n.csv');
    expect(csv.classNames).toEqual(['2', '10']);
    expect(Array.from(csv.y)).toEqual([1, 0, 0, 1]);
  });

  it('handles semicolons, tabs, quotes, CRLF, a BOM and blank lines', () => {
    const semicolon = parseCsv('\uFEFF"a;1";b;label\r\n1.5;2;x\r\n\r\n3;4;y\r\n', 's.csv');
    expect(semicolon).toMatchObject({ delimiter: ';', featureNames: ['a;1', 'b'] });
    expect(Array.from(semicolon.x)).toEqual([1.5, 2, 3, 4]);
    const tab = parseCsv('a\tb\tlabel\n1\t2\tx\n3\t4\ty\n', 't.tsv');
    expect(tab).toMatchObject({ delimiter: '\t', featureNames: ['a', 'b'] });
    const quoted = parseCsv('"first, name",b,label\n1,2,"x ""quoted"""\n3,4,y\n', 'q.csv');
    expect(quoted.featureNames).toEqual(['first, name', 'b']);
    expect(quoted.classNames).toEqual(['x "quoted"', 'y']);
  });

  it('counts lines in the file, blank ones included, in its messages', () => {
    expect(() => parseCsv('a,b,label\n\n1,2,x\n\n3,oops,y\n', 'gap.csv')).toThrow('gap.csv, line 5, column 2 (b): "oops" is not a number');
  });

  const header = 'a,b,label\n';
  it.each([
    ['', undefined, 'bad.csv is empty'],
    ['\n  \n\n', undefined, 'bad.csv is empty'],
    ['1\n2\n', undefined, 'bad.csv, line 1: found 1 column; expected at least one feature column and a label column'],
    [`${header}1,2,x\n3,4\n`, 'label', 'bad.csv, line 3: has 2 columns, expected 3 (as on line 1)'],
    [`${header}1,2,x\n3,4,y,5\n`, 'label', 'bad.csv, line 3: has 4 columns, expected 3'],
    [`${header}1,2,x\n3,y,z\n`, 'label', 'bad.csv, line 3, column 2 (b): "y" is not a number'],
    [`${header}1,NaN,x\n3,4,y\n`, 'label', 'bad.csv, line 2, column 2 (b): NaN is not allowed; features must be finite numbers'],
    [`${header}1,2,x\n-inf,4,y\n`, 'label', 'bad.csv, line 3, column 1 (a): -inf is not allowed; features must be finite numbers'],
    [`${header}Infinity,2,x\n3,4,y\n`, 'label', 'bad.csv, line 2, column 1 (a): Infinity is not allowed'],
    [`${header}1,1e39,x\n3,4,y\n`, 'label', 'bad.csv, line 2, column 2 (b): 1e39 is too large (the lab stores 32-bit floats, up to about 3.4e38)'],
    [`${header}1, ,x\n3,4,y\n`, 'label', 'bad.csv, line 2, column 2 (b): the cell is empty; every feature needs a number'],
    [`${header}1,2,\n3,4,y\n`, 'label', 'bad.csv, line 2, column 3 (label): the label is empty'],
    [`${header}1,2,x\n3,4,x\n`, 'label', 'bad.csv, column 3 (label): the label column has only one class ("x"); at least 2 are needed'],
    [`${header}${Array.from({ length: 101 }, (_, i) => `1,2,c${i}`).join('\n')}`, 'label', 'bad.csv, column 3 (label): the label column has 101 distinct values; at most 100 classes are supported — is this the right label column?'],
    [`${header}1,2,"x\n`, 'label', 'bad.csv, line 2: a quoted cell is not closed (cells cannot span lines)'],
    [header, 'label', 'bad.csv has a header but no data rows'],
    [`${header}1,2,x\n`, 'class', 'bad.csv: no column named "class" (columns: a, b, label)'],
    ['1,2,0\n3,4,1\n', 'class', 'bad.csv: no column named "class" (the first line is data, not a header; choose the label column by number (from 0))'],
    [`${header}1,2,x\n`, 3, 'bad.csv: there is no label column 3; columns are numbered from 0 and the file has 3 (0 to 2)'],
  ] as Array<[string, string | number | undefined, string]>)('rejects %j (label %j) with a precise message', (text, label, message) => {
    expect(() => parseCsv(text, 'bad.csv', label)).toThrow(message);
  });
});
