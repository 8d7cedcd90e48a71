import { parse } from 'csv-parse/sync';
import { CorruptDocumentError } from '../../common/errors';
import { TextFormatParser, decodeUtf8, sniffText } from './document-parser';
import { StructureBuilder } from './structure-builder';
import { FORMATS } from './formats';

const DELIMITERS = [',', ';', '\t', '|'];
/** Column names kept in the metadata; past this, `columnCount` says how many there were. */
const MAX_COLUMN_NAMES = 1000;

/**
 * CSV and TSV: the first row names the columns; every other row becomes one record, a line
 * `column: value` per non-empty cell, so any chunk of whole rows carries the header with it.
 * Records are never split between chunks unless one alone exceeds the chunk size, and chunks do
 * not repeat each other's rows.
 */
export const csvParser: TextFormatParser = {
  ...FORMATS.csv,
  sniff: (data) => sniffText(data),
  parse: (data) => {
    const text = decodeUtf8(data);
    let rows: string[][];
    try {
      rows = parse(text, {
        delimiter: guessDelimiter(text),
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        trim: true,
      });
    } catch (e) {
      throw new CorruptDocumentError(`The CSV file could not be parsed: ${(e as Error).message}`);
    }
    const [header = [], ...records] = rows;
    const columns = header.map((name, i) => name || `column ${i + 1}`);
    const builder = new StructureBuilder();
    for (const row of records) {
      builder.paragraph(
        row
          .map((value, i) => (value ? `${columns[i] ?? `column ${i + 1}`}: ${value}` : ''))
          .filter(Boolean)
          .join('\n'),
      );
    }
    return {
      ...builder.build(),
      records: true,
      contentType: FORMATS.csv.contentType,
      // The column names as metadata, up to a point: a million of them would ride on every hit.
      metadata: {
        columns: columns.slice(0, MAX_COLUMN_NAMES),
        ...(columns.length > MAX_COLUMN_NAMES ? { columnCount: columns.length } : {}),
        rows: records.length,
      },
    };
  },
};

/** The candidate that splits the header line most often (quoted text aside). */
function guessDelimiter(text: string): string {
  const firstLine = (text.match(/^[^\r\n]*/)?.[0] ?? '').replace(/"[^"]*"/g, '');
  const counts = DELIMITERS.map((d) => firstLine.split(d).length - 1);
  const best = counts.indexOf(Math.max(...counts));
  return counts[best]! > 0 ? DELIMITERS[best]! : ',';
}
