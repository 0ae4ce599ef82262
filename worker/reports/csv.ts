/**
 * CSV for every report table's download: RFC 4180 (comma, CRLF, quotes doubled inside quoted
 * fields), UTF-8 with a byte-order mark so spreadsheet apps read ą, ä and ж right, and no formula
 * injection. Pure; imported by the report routes.
 */

/** A cell: text, a number (written as is), or nothing. */
export type CsvCell = string | number | null;

// OWASP's CSV injection list: a cell starting with one of these is read as a formula by Excel,
// LibreOffice or Google Sheets (=HYPERLINK(…) in a visitor's message would become a live link).
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

function field(value: CsvCell): string {
  if (value === null) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`a CSV number must be finite, got ${value}`);
    return String(value);
  }
  // The apostrophe makes the spreadsheet show the text as text. Numbers are passed as numbers,
  // so a negative amount stays a number while the text "-5" from a visitor does not compute.
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: a BOM, then each row (the header first) ended by CRLF. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return `\uFEFF${rows.map((row) => `${row.map(field).join(",")}\r\n`).join("")}`;
}
