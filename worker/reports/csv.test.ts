import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CsvCell, toCsv } from "./csv";

/** A strict RFC 4180 reader (section 2's grammar), to read back what toCsv wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let value = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else if (i >= text.length) {
          throw new Error("unterminated quoted field");
        } else {
          value += text[i++];
        }
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r") {
        if (text[i] === '"' || text[i] === "\n") throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field`);
        value += text[i++];
      }
    }
    row.push(value);
    if (text[i] === ",") i++;
    else if (text.startsWith("\r\n", i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`expected , or CRLF at ${i}`);
  }
  return rows;
}

const body = (csv: string) => {
  expect(csv.startsWith("\uFEFF")).toBe(true);
  return csv.slice(1);
};

describe("toCsv", () => {
  it("writes RFC 4180 with a BOM and CRLF line ends", () => {
    const csv = toCsv([
      ["operator", "chats", "first response p50 (s)"],
      ["Anna Kowalska", 12, 41.5],
      ['Piotr "Pete", jr.', 3, null],
      ["Ääkkönen\r\nline two", 0, -2],
    ]);
    expect(body(csv)).toBe(
      'operator,chats,first response p50 (s)\r\nAnna Kowalska,12,41.5\r\n"Piotr ""Pete"", jr.",3,\r\n"Ääkkönen\r\nline two",0,-2\r\n',
    );
    // UTF-8 as bytes, BOM first: EF BB BF.
    expect([...new TextEncoder().encode(csv).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(body(toCsv([]))).toBe("");
  });

  it("defuses cells a spreadsheet would run as formulas", () => {
    const cells = ['=HYPERLINK("http://evil.example","Click")', "+48 123", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"];
    expect(parseCsv(body(toCsv([cells])))).toEqual([cells.map((c) => `'${c}`)]);
    // Only the first character matters, and numbers stay numbers.
    expect(body(toCsv([["a=b", " =1", "Zwrot-1", -5]]))).toBe("a=b, =1,Zwrot-1,-5\r\n");
    expect(() => toCsv([[Number.NaN]])).toThrow(RangeError);
  });

  it("reads back as what was written, for any text (1,000 random tables)", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "ż", "ж", ",", '"', "\r", "\n", " ", "=", "-", "@", "\t", "😀") });
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 1, maxLength: 5 }), { maxLength: 5 }), (rows: CsvCell[][]) => {
        const expected = rows.map((r) => r.map((c) => (typeof c === "string" && /^[=+\-@\t\r]/.test(c) ? `'${c}` : String(c))));
        expect(parseCsv(body(toCsv(rows)))).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
