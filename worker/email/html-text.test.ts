import { describe, expect, it } from "vitest";
import { decodeEntities, htmlToText } from "./html-text";

describe("htmlToText", () => {
  it("turns blocks and breaks into lines and quotes into '>' lines", () => {
    const html = "<div>Hi<br>there</div><blockquote><p>quoted</p><blockquote>deeper</blockquote></blockquote><p>after</p>";
    expect(htmlToText(html)).toBe("Hi\nthere\n> quoted\n> > deeper\nafter");
  });

  it("drops head, style and script, keeps pre as written, lists with bullets", () => {
    const html =
      "<html><head><title>T</title><style>p{color:red}</style></head><body><script>x()</script><pre>a  b\nc</pre><ul><li>one</li><li>two</li></ul></body></html>";
    expect(htmlToText(html)).toBe("a  b\nc\n• one\n• two");
  });

  it("keeps a link's address when its text hides it, and Outlook's empty paragraphs", () => {
    expect(htmlToText('<p>See <a href="https://shop.example/x?a=1&amp;b=2">here</a>.</p>')).toBe(
      "See here <https://shop.example/x?a=1&b=2>.",
    );
    expect(htmlToText('<a href="https://shop.example">https://shop.example</a>')).toBe("https://shop.example");
    expect(htmlToText('<a href="javascript:alert(1)">x</a>')).toBe("x");
    expect(htmlToText('<p class="MsoNormal">a</p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">b</p>')).toBe("a\n\nb");
  });

  it("writes <hr> as Outlook's rule, collapses whitespace, survives broken markup", () => {
    expect(htmlToText("<div>a</div><hr><div>b</div>")).toBe("a\n________________________________\nb");
    expect(htmlToText("  lots \n\t of   space ")).toBe("lots of space");
    expect(htmlToText("1 < 2 <b>bold</b> <!-- comment --> <not closed")).toBe("1 < 2 bold <not closed");
    expect(htmlToText("<div>unclosed <!-- comment to the end")).toBe("unclosed");
  });
});

describe("decodeEntities", () => {
  it("decodes named and numeric references, refusing surrogates", () => {
    expect(decodeEntities("&lt;a&gt; &amp; &quot;x&quot; &#322;&#x105; &euro; &bogus; &#xD800; &#0;")).toBe(
      '<a> & "x" łą € &bogus; \ufffd \ufffd',
    );
  });
});

describe("htmlToText on hostile markup", () => {
  // Timing is printed, not asserted (DESIGN.md: numbers from benchmarks, not timed tests).
  it("converts a megabyte of unclosed tags, deep quotes and entities", () => {
    const html = `${"<div><blockquote><a href='x'>".repeat(10_000)}${"<b".repeat(100_000)}${"&amp;".repeat(100_000)}`;
    const started = Date.now();
    const text = htmlToText(html);
    console.log(`htmlToText: ${html.length} characters of hostile markup in ${Date.now() - started} ms`);
    expect(text.startsWith("> > > > > > > > <b<b")).toBe(true);
    expect(text.endsWith("&&&")).toBe(true);
  });
});
