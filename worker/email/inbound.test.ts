import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import appleEn from "../../test/fixtures/email/apple-en.eml?raw";
import appleFi from "../../test/fixtures/email/apple-fi.eml?raw";
import applePl from "../../test/fixtures/email/apple-pl.eml?raw";
import appleRu from "../../test/fixtures/email/apple-ru.eml?raw";
import autoReplyGmailPl from "../../test/fixtures/email/auto-reply-gmail-pl.eml?raw";
import autoReplyOutlookEn from "../../test/fixtures/email/auto-reply-outlook-en.eml?raw";
import autoReplyRu from "../../test/fixtures/email/auto-reply-ru.eml?raw";
import bounce from "../../test/fixtures/email/bounce.eml?raw";
import gmailAttachmentsEn from "../../test/fixtures/email/gmail-attachments-en.eml?raw";
import gmailEn from "../../test/fixtures/email/gmail-en.eml?raw";
import gmailFi from "../../test/fixtures/email/gmail-fi.eml?raw";
import gmailPl from "../../test/fixtures/email/gmail-pl.eml?raw";
import gmailRu from "../../test/fixtures/email/gmail-ru.eml?raw";
import outlookEn from "../../test/fixtures/email/outlook-en.eml?raw";
import outlookFi from "../../test/fixtures/email/outlook-fi.eml?raw";
import outlookPl from "../../test/fixtures/email/outlook-pl.eml?raw";
import outlookRu from "../../test/fixtures/email/outlook-ru.eml?raw";
import outlookWebEn from "../../test/fixtures/email/outlook-web-en.eml?raw";
import outlookWebFi from "../../test/fixtures/email/outlook-web-fi.eml?raw";
import outlookWebPl from "../../test/fixtures/email/outlook-web-pl.eml?raw";
import outlookWebRu from "../../test/fixtures/email/outlook-web-ru.eml?raw";
import thunderbirdEn from "../../test/fixtures/email/thunderbird-en.eml?raw";
import thunderbirdFi from "../../test/fixtures/email/thunderbird-fi.eml?raw";
import thunderbirdPl from "../../test/fixtures/email/thunderbird-pl.eml?raw";
import thunderbirdRu from "../../test/fixtures/email/thunderbird-ru.eml?raw";
import { htmlToText } from "./html-text";
import { inboundClientId, MAX_INBOUND_BYTES, parseInbound } from "./inbound";
import { newTextOfReply } from "./reply-text";

const NEW = {
  en: "Thanks, that works for me!\nCould you send me the tracking number?",
  pl: "Dziękuję, to mi pasuje!\nCzy mogę prosić o numer przesyłki?",
  fi: "Kiitos, se sopii minulle!\nVoisitteko lähettää seurantanumeron?",
  ru: "Спасибо, мне подходит!\nМожно номер для отслеживания?",
};
const ORIG = "<0d6f3c1e-8a2b-4c1d-9e7f-5a4b3c2d1e0f@shop.example>";
const ORIG0 = "<5b1c9d2e-7f3a-4e6b-8c1d-2e3f4a5b6c7d@shop.example>";

/** Every client and language: the raw mail, exactly the new text, and its body parts. */
const REPLIES: [name: string, raw: string, text: string, parts: "plain+html" | "plain" | "html"][] = [
  ["gmail-en (wrapped attribution, '-- ' signature)", gmailEn, NEW.en, "plain+html"],
  ["gmail-pl", gmailPl, NEW.pl, "plain+html"],
  ["gmail-fi", gmailFi, NEW.fi, "plain+html"],
  ["gmail-ru (base64, attribution without a verb, signature)", gmailRu, NEW.ru, "plain+html"],
  [
    "outlook-en (desktop: header block, cp1252 QP, logo)",
    outlookEn,
    "Hi Anna,\n\nThanks, that works for me! Could you send me the tracking number?\n\nKind regards,\nJan",
    "plain+html",
  ],
  [
    "outlook-pl (iso-8859-2)",
    outlookPl,
    "Dzień dobry,\n\nDziękuję, to mi pasuje! Czy mogę prosić o numer przesyłki?\n\nPozdrawiam\nJan Kowalski",
    "plain+html",
  ],
  [
    "outlook-fi (windows-1252)",
    outlookFi,
    "Hei Anna,\n\nKiitos, se sopii minulle! Voisitteko lähettää seurantanumeron?\n\nYstävällisin terveisin\nMatti",
    "plain+html",
  ],
  [
    "outlook-ru (windows-1251 base64)",
    outlookRu,
    "Добрый день,\n\nСпасибо, мне подходит! Можно номер для отслеживания?\n\nС уважением,\nИван Петров",
    "plain+html",
  ],
  ["outlook-web-en (underscore rule, 'Get Outlook for iOS')", outlookWebEn, NEW.en, "plain+html"],
  ["outlook-web-pl (Outlook for Android line)", outlookWebPl, NEW.pl, "plain+html"],
  ["outlook-web-fi (HTML only)", outlookWebFi, NEW.fi, "html"],
  ["outlook-web-ru", outlookWebRu, NEW.ru, "plain+html"],
  ["apple-en (iPhone: 'Sent from my iPhone', quoted attribution)", appleEn, NEW.en, "plain+html"],
  ["apple-pl (macOS: 'Wiadomość napisana przez …')", applePl, NEW.pl, "plain+html"],
  ["apple-fi (iPhone: 'Lähetetty iPhonesta')", appleFi, NEW.fi, "plain+html"],
  ["apple-ru (macOS: '… написал(а):')", appleRu, NEW.ru, "plain+html"],
  ["thunderbird-en (bottom-posted, format=flowed, '-- ' signature)", thunderbirdEn, NEW.en, "plain"],
  ["thunderbird-pl ('W dniu … pisze:', 8bit)", thunderbirdPl, NEW.pl, "plain"],
  ["thunderbird-fi ('… kirjoitti 30.11.2026 klo 9.00:')", thunderbirdFi, NEW.fi, "plain"],
  ["thunderbird-ru (HTML only, '… пишет:')", thunderbirdRu, NEW.ru, "html"],
];

describe("parseInbound: replies from each mail client and language", () => {
  it.each(REPLIES)("%s gives exactly the new text", async (_name, raw, text) => {
    const r = await parseInbound(raw);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.mail.text).toBe(text);
    expect(r.mail).toMatchObject({ inReplyTo: ORIG, autoReply: false, bounce: false, attachments: 0, truncated: false });
    expect(r.mail.messageId).toMatch(/^<[^<>\s]+@[^<>\s]+>$/);
    expect(r.mail.references.at(-1)).toBe(ORIG);
  });

  it.each(REPLIES.filter((r) => r[3] === "plain+html"))(
    "%s: its HTML part gives the same new text as its plain part",
    async (_name, raw, text) => {
      const email = await PostalMime.parse(raw);
      expect(newTextOfReply(htmlToText(email.html ?? ""))).toBe(text);
    },
  );

  it("decodes sender, UTF-8 subjects and the thread", async () => {
    const r = await parseInbound(gmailRu);
    expect(r).toMatchObject({
      ok: true,
      mail: {
        from: { address: "ivan.petrov@gmail.com", name: "Иван Петров" },
        subject: "Re: Новый ответ от Demo Shop",
        references: [ORIG0, ORIG],
      },
    });
  });

  it("counts attachments but not images embedded in the HTML", async () => {
    const r = await parseInbound(gmailAttachmentsEn);
    expect(r).toMatchObject({ ok: true, mail: { text: "Here is a photo of the damaged box and the invoice.", attachments: 2 } });
    expect(await parseInbound(outlookEn)).toMatchObject({ ok: true, mail: { attachments: 0 } }); // the signature logo
  });
});

describe("inboundClientId", () => {
  it("is the same for the same Message-ID delivered twice, different otherwise, and fits a clientId", async () => {
    const a = await parseInbound(gmailEn);
    const b = await parseInbound(gmailEn.replace("Thanks, that works", "Thanks, that worked"));
    const c = await parseInbound(gmailPl);
    if (!a.ok || !b.ok || !c.ok) throw new Error("fixtures parse");
    expect(a.mail.date).toBe(Date.parse("2026-11-30T09:12:44Z"));
    expect(await inboundClientId(a.mail)).toBe(await inboundClientId(b.mail));
    expect(await inboundClientId(a.mail)).not.toBe(await inboundClientId(c.mail));
    expect(await inboundClientId(a.mail)).toMatch(/^e1:[0-9a-f]{48}$/);
    const noId = { ...a.mail, messageId: null };
    expect(await inboundClientId(noId)).not.toBe(await inboundClientId({ ...noId, text: "other" }));
  });
});

describe("parseInbound: machines", () => {
  it("flags auto-replies: Auto-Submitted, X-Autoreply, Precedence, out-of-office subjects", async () => {
    for (const raw of [autoReplyOutlookEn, autoReplyGmailPl, autoReplyRu]) {
      expect(await parseInbound(raw)).toMatchObject({ ok: true, mail: { autoReply: true, bounce: false } });
    }
    const plain = (headers: string, subject = "Re: hello") =>
      parseInbound(`From: a@example.com\r\nTo: b@example.com\r\nSubject: ${subject}\r\n${headers}\r\n\r\nHi\r\n`);
    expect(await plain("Precedence: auto_reply")).toMatchObject({ mail: { autoReply: true } });
    expect(await plain("Precedence: list")).toMatchObject({ mail: { autoReply: true } });
    expect(await plain("X-Autorespond: yes")).toMatchObject({ mail: { autoReply: true } });
    expect(await plain("Auto-Submitted: no")).toMatchObject({ mail: { autoReply: false } });
    expect(await plain("X-Auto-Response-Suppress: All")).toMatchObject({ mail: { autoReply: false } });
    expect(await plain("X-Mailer: Foo", "Odpowiedź automatyczna: Re: hello")).toMatchObject({ mail: { autoReply: true } });
    expect(await plain("Return-Path: <>")).toMatchObject({ mail: { autoReply: true } });
    const envelope = await parseInbound("From: a@example.com\r\nSubject: x\r\n\r\nHi\r\n", { envelopeFrom: "" });
    expect(envelope).toMatchObject({ mail: { autoReply: true } });
  });

  it("flags bounces: delivery reports and mailer-daemon", async () => {
    expect(await parseInbound(bounce)).toMatchObject({ ok: true, mail: { autoReply: true, bounce: true } });
    const daemon = await parseInbound("From: postmaster@mx.example.net\r\nSubject: failure\r\n\r\nNot delivered\r\n");
    expect(daemon).toMatchObject({ mail: { bounce: true } });
  });
});

describe("parseInbound: bad input is a coded result, never a throw", () => {
  it("refuses oversize mail from a stream without reading it all", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(chunk);
      },
    });
    expect(await parseInbound(stream)).toMatchObject({ ok: false, code: "too_large" });
    expect(pulled).toBeLessThanOrEqual(MAX_INBOUND_BYTES / chunk.byteLength + 2);
    expect(await parseInbound(gmailEn, { maxBytes: 100 })).toMatchObject({ ok: false, code: "too_large" });
  });

  it("refuses what is not mail", async () => {
    const inputs: (string | Uint8Array)[] = [
      "",
      "hello, this is not an email",
      "\r\n\r\nbody without headers",
      new Uint8Array([0, 1, 2, 3, 255, 254, 0, 0]),
      "Subject: no sender\r\n\r\nHi\r\n",
      "From: not an address\r\nSubject: x\r\n\r\nHi\r\n",
    ];
    for (const raw of inputs) expect(await parseInbound(raw)).toMatchObject({ ok: false, code: "malformed" });
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error("connection reset"));
      },
    });
    expect(await parseInbound(broken)).toMatchObject({ ok: false, code: "malformed" });
  });

  it("survives hostile MIME: deep nesting, unclosed tags, header injection in the subject", async () => {
    const deep = `From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n${Array.from(
      { length: 60 },
      (_, i) => `--b${i}\r\nContent-Type: multipart/mixed; boundary=b${i + 1}\r\n\r\n`,
    ).join("")}`;
    expect(await parseInbound(deep)).toMatchObject({ ok: false, code: "malformed" });
    const tags = `From: a@example.com\r\nContent-Type: text/html\r\n\r\n${"<a href='x ".repeat(20_000)}`;
    expect(await parseInbound(tags)).toMatchObject({ ok: true, mail: { text: expect.stringMatching(/^<a href='x <a href='x/) } });
    const injected = await parseInbound("From: a@example.com\r\nSubject: =?UTF-8?Q?Hi=0D=0ABcc:_x@evil.example?=\r\n\r\nHi\r\n");
    expect(injected).toMatchObject({ ok: true, mail: { subject: "Hi Bcc: x@evil.example" } });
  });

  it("cuts a very long reply to the message limit and says so", async () => {
    const r = await parseInbound(`From: a@example.com\r\nSubject: x\r\n\r\n${"word ".repeat(2000)}\r\n`);
    expect(r).toMatchObject({ ok: true, mail: { truncated: true } });
    if (r.ok) expect(r.mail.text.length).toBe(4000);
  });
});
