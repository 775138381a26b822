/**
 * Reads CSV the way Athena's OpenCSVSerDe does (opencsv 2.3's CSVParser, which Hive uses): lines
 * split on CR, LF or CRLF; inside quotes `""` is a quote; the escape character drops itself and,
 * inside quotes, keeps the quote or escape after it; an escape character anywhere else vanishes.
 * With the default escape (a backslash) `AC\DC` would come back as `ACDC`.
 */
export function readLikeOpenCsvSerde(text: string, escape: string, quote = '"', separator = ','): string[][] {
  const lines = text.split(/\r\n|\n|\r/).filter((line) => line !== '');
  return lines.map((line) => parseLine(line, { escape, quote, separator }));
}

function parseLine(line: string, chars: { escape: string; quote: string; separator: string }): string[] {
  const { escape, quote, separator } = chars;
  const tokens: string[] = [];
  let cell = '';
  let inQuotes = false;
  let inField = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line.charAt(index);
    const next = line.charAt(index + 1);
    const quoted = inQuotes || inField;
    if (char === escape) {
      if (quoted && index + 1 < line.length && (next === quote || next === escape)) {
        cell += next;
        index += 1;
      }
    } else if (char === quote) {
      if (quoted && index + 1 < line.length && next === quote) {
        cell += next;
        index += 1;
      } else {
        inQuotes = !inQuotes;
        // opencsv's "embedded quote in the middle of a field" case: a,bc"d"ef,g keeps the quote.
        if (
          index > 2 &&
          line.charAt(index - 1) !== separator &&
          index + 1 < line.length &&
          next !== separator
        ) {
          cell += char;
        }
      }
      inField = !inField;
    } else if (char === separator && !inQuotes) {
      tokens.push(cell);
      cell = '';
      inField = false;
    } else {
      cell += char;
      inField = true;
    }
  }
  tokens.push(cell);
  return tokens;
}
