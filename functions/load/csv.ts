import { Parser } from '@json2csv/plainjs';
import { MULTI_VALUE_SEPARATOR } from '../commons/constants';
import {
  COLUMNS,
  type ColumnName,
  type ColumnSpec,
  type TopTrackRecord,
} from '../commons/domain/top-track-record';

export interface CsvOptions {
  /** Prefix cells a spreadsheet would run as a formula with `'` (OWASP CSV-injection advice). */
  readonly neutralizeFormulas: boolean;
}

export type CsvRow = Record<ColumnName, string>;

/** RFC 4180 line ending; tools that split on `\n` still see one row per line. */
const EOL = '\r\n';
const FORMULA_TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];

export function neutralizeFormula(cell: string): string {
  return FORMULA_TRIGGERS.some((trigger) => cell.startsWith(trigger)) ? `'${cell}` : cell;
}

function formatValue(value: TopTrackRecord[ColumnName]): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(MULTI_VALUE_SEPARATOR);
  return String(value);
}

/** One cell: empty for missing, `|` for lists, `true`/`false`; free text neutralized if asked. */
function formatCell(record: TopTrackRecord, spec: ColumnSpec, options: CsvOptions): string {
  const cell = formatValue(record[spec.name]);
  return spec.text && options.neutralizeFormulas ? neutralizeFormula(cell) : cell;
}

/** A record as its CSV cells, by column name. */
export function toCsvRow(record: TopTrackRecord, options: CsvOptions): CsvRow {
  return Object.fromEntries(COLUMNS.map((spec) => [spec.name, formatCell(record, spec, options)])) as CsvRow;
}

/** RFC 4180 quoting: only cells holding a quote, comma or line break are quoted; quotes are doubled. */
const NEEDS_QUOTES = /[",\r\n]/;
function quoteIfNecessary(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** The whole CSV document: header row plus one row per record, UTF-8 text with CRLF line ends. */
export function renderCsv(records: readonly TopTrackRecord[], options: CsvOptions): string {
  // Function getters format each cell straight from the record (no intermediate row objects).
  const parser = new Parser<TopTrackRecord, TopTrackRecord>({
    fields: COLUMNS.map((spec) => ({
      label: spec.name,
      value: (record: TopTrackRecord) => formatCell(record, spec, options),
    })),
    eol: EOL,
    formatters: { string: quoteIfNecessary, header: quoteIfNecessary },
  });
  // json2csv renders an empty input as the header alone, without a line end; keep the file shape uniform.
  return `${parser.parse(records as TopTrackRecord[])}${EOL}`;
}
