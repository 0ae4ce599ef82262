/**
 * The one layout of every Gadka email, as plain text and as HTML: the shop's name and logo, a
 * bar in its colour, an introduction, messages, a button, and a footer with why the recipient
 * gets it and how to stop. Everything from outside is escaped here. Imported by outbound.ts.
 */

export interface Brand {
  name: string;
  /** An https image URL, or null for the name alone. */
  logoUrl: string | null;
  /** `#rrggbb`. */
  accentColor: string;
}

export interface EmailContent {
  lang: string;
  intro: string;
  messages: { author: string; at: string; text: string; mine: boolean }[];
  /** A line under the messages ("12 messages"). */
  summary?: string;
  button: { label: string; url: string };
  hint?: string;
  why: string;
  /** Absent for account emails (a confirmation or a reset is not a list one can leave). */
  unsubscribe?: { label: string; url: string };
}

export function renderText(content: EmailContent, brand: Brand): string {
  const parts = [brand.name, "", content.intro, ""];
  for (const m of content.messages) parts.push(`${m.author} · ${m.at}`, m.text, "");
  if (content.summary) parts.push(content.summary, "");
  parts.push(`${content.button.label}: ${content.button.url}`, "");
  if (content.hint) parts.push(content.hint, "");
  parts.push("-- ", content.why);
  if (content.unsubscribe) parts.push(`${content.unsubscribe.label}: ${content.unsubscribe.url}`);
  return parts.join("\n");
}

export function renderHtml(content: EmailContent, brand: Brand): string {
  const accent = brand.accentColor;
  // White and near-black text have equal contrast on a luminance of 0.179 (WCAG): take the better one.
  const onAccent = luminance(accent) > 0.179 ? "#111111" : "#ffffff";
  const logo = brand.logoUrl
    ? `<img src="${attr(brand.logoUrl)}" alt="${attr(brand.name)}" height="32" style="display:block;height:32px;max-width:160px;border:0">`
    : "";
  const messages = content.messages
    .map(
      (m) => `<tr><td style="padding:12px 16px;border-radius:8px;background:${m.mine ? "#f1f5f9" : "#ffffff"};border:1px solid #e2e8f0">
<div style="font-size:13px;color:#475569;margin-bottom:4px"><strong style="color:#0f172a">${text(m.author)}</strong> · ${text(m.at)}</div>
<div style="font-size:15px;line-height:1.5;color:#0f172a">${lines(m.text)}</div></td></tr>
<tr><td style="height:8px;font-size:0;line-height:0">&nbsp;</td></tr>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="${attr(content.lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><title>${text(brand.name)}</title></head>
<body style="margin:0;padding:0;background:#f8fafc;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f8fafc"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:12px;overflow:hidden;border:1px solid #e2e8f0">
<tr><td style="height:6px;background:${accent};font-size:0;line-height:0">&nbsp;</td></tr>
<tr><td style="padding:20px 24px 8px 24px"><table role="presentation" cellpadding="0" cellspacing="0"><tr>${logo ? `<td style="padding-right:12px">${logo}</td>` : ""}<td style="font-size:18px;font-weight:700;color:#0f172a">${text(brand.name)}</td></tr></table></td></tr>
<tr><td style="padding:8px 24px 16px 24px;font-size:15px;line-height:1.5;color:#0f172a">${lines(content.intro)}</td></tr>
<tr><td style="padding:0 24px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">
${messages}
</table></td></tr>
${content.summary ? `<tr><td style="padding:0 24px 8px 24px;font-size:13px;color:#475569">${text(content.summary)}</td></tr>` : ""}
<tr><td style="padding:12px 24px 8px 24px"><a href="${attr(content.button.url)}" style="display:inline-block;padding:12px 20px;border-radius:8px;background:${accent};color:${onAccent};font-size:15px;font-weight:600;text-decoration:none">${text(content.button.label)}</a></td></tr>
${content.hint ? `<tr><td style="padding:8px 24px 20px 24px;font-size:14px;color:#475569">${text(content.hint)}</td></tr>` : ""}
<tr><td style="padding:16px 24px 20px 24px;border-top:1px solid #e2e8f0;font-size:12px;line-height:1.5;color:#64748b">${text(content.why)}${content.unsubscribe ? `<br><a href="${attr(content.unsubscribe.url)}" style="color:#64748b">${text(content.unsubscribe.label)}</a>` : ""}</td></tr>
</table></td></tr></table>
</body>
</html>
`;
}

/** Text for HTML: every character that can open markup or end an attribute is escaped. */
export function text(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const attr = text;

/** Text with its line breaks kept. */
function lines(value: string): string {
  return text(value).replace(/\r?\n/g, "<br>");
}

/** Relative luminance of `#rrggbb` (WCAG), 0 (black) to 1 (white). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
