/**
 * An HTML email body as plain text for reply-text.ts: block elements become lines, `<br>` a line
 * break, each `<blockquote>` level a `> ` prefix (so quoted history stays recognisable), `<hr>`
 * Outlook's underscore rule, links keep their address. Pure; used by inbound.ts for HTML-only
 * mail. Not a renderer: tables become lines and styling is dropped.
 */

const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "center",
  "dd",
  "div",
  "dl",
  "dt",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "tbody",
  "td",
  "tfoot",
  "th",
  "thead",
  "tr",
  "ul",
]);
/** Elements whose content is never text a person reads in the message. */
const HIDDEN = new Set(["head", "style", "script", "title", "template", "noscript", "xml"]);

// Attributes stop at the next `<` as well as `>`, so an unclosed tag costs one scan to the next
// tag, never a scan to the end of the body for each of many (no quadratic time on hostile HTML).
const TOKEN = /<!--[\s\S]*?(?:-->|$)|<![^>]*>?|<\?[^>]*>?|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*)>|[^<]+|</g;
/** Deeper quotes than this are written at this depth: they are removed as quotes all the same. */
const MAX_DEPTH = 8;

export function htmlToText(html: string): string {
  const out: string[] = [];
  let line = "";
  let depth = 0;
  let pre = 0;
  let hidden = 0;
  let link: { href: string; start: number } | null = null;
  // A paragraph of only &nbsp; is how Outlook writes an empty line: it stays a line.
  const flush = (always: boolean) => {
    const text = (pre ? line : line.replace(/ {2,}/g, " ")).replace(/\u00a0/g, " ").replace(/^ +| +$/g, "");
    if (text !== "" || always || line.includes("\u00a0"))
      out.push(depth > 0 ? `${"> ".repeat(Math.min(depth, MAX_DEPTH))}${text}`.trimEnd() : text);
    line = "";
  };
  for (const m of html.matchAll(TOKEN)) {
    const [token, closing, rawName, attrs] = m;
    if (rawName === undefined) {
      if (hidden || token.startsWith("<!") || token.startsWith("<?")) continue;
      const text = decodeEntities(token);
      if (pre) {
        const parts = text.replace(/\r\n?/g, "\n").split("\n");
        parts.forEach((part, i) => {
          if (i > 0) flush(true);
          line += part;
        });
      } else {
        line += text.replace(/[ \t\n\r\f]+/g, " ");
      }
      continue;
    }
    const name = rawName.toLowerCase();
    if (HIDDEN.has(name)) {
      if (closing) hidden = Math.max(0, hidden - 1);
      else if (!/\/\s*$/.test(attrs ?? "")) hidden++;
      continue;
    }
    if (hidden) continue;
    if (name === "br") {
      flush(true);
    } else if (name === "hr") {
      flush(false);
      out.push("________________________________");
    } else if (name === "a") {
      if (!closing) {
        const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attrs ?? "");
        link = { href: decodeEntities(href?.[1] ?? href?.[2] ?? href?.[3] ?? ""), start: line.length };
      } else if (link) {
        // A link's address matters to an operator when its text does not show it ("click here").
        const text = line.slice(link.start).trim();
        const address = link.href.replace(/^mailto:/i, "");
        if (/^(https?|mailto):/i.test(link.href) && text !== "" && !text.includes(address)) line += ` <${address}>`;
        link = null;
      }
    } else if (BLOCK.has(name)) {
      flush(false);
      if (name === "blockquote") depth = Math.max(0, depth + (closing ? -1 : 1));
      if (name === "pre") pre = Math.max(0, pre + (closing ? -1 : 1));
      if (name === "li" && !closing) line = "• ";
    }
  }
  flush(false);
  return out.join("\n");
}

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  shy: "",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  laquo: "«",
  raquo: "»",
  bdquo: "„",
  ldquo: "“",
  rdquo: "”",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  euro: "€",
  copy: "©",
  reg: "®",
  trade: "™",
  middot: "·",
  bull: "•",
  zwnj: "",
  zwj: "",
};

/** HTML character references: the common named ones and every numeric one. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});?/gi, (whole, ref: string) => {
    if (ref[0] !== "#") return NAMED[ref.toLowerCase()] ?? whole;
    const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : "\ufffd";
  });
}
