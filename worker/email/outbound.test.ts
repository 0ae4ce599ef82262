import { describe, expect, it } from "vitest";
import { type Brand, buildFollowUp, buildOperatorAlert, buildTranscript, type EmailMessage, MAX_SUBJECT_CHARS } from "./outbound";
import { en } from "./templates/en";
import { fi } from "./templates/fi";
import { emailLanguage } from "./templates/i18n";
import { pl } from "./templates/pl";
import { ru } from "./templates/ru";
import type { EmailStrings, Plural } from "./templates/strings";

const brand: Brand = { name: "Demo Shop", logoUrl: "https://shop.example/logo.png", accentColor: "#0f766e" };
const at = Date.UTC(2026, 10, 30, 8, 0); // 09:00 in Warsaw
const op = (text: string, minute = 0): EmailMessage => ({
  kind: "text",
  role: "operator",
  authorName: "Anna",
  text,
  createdAt: at + minute * 60_000,
});
const visitor = (text: string, minute = 0): EmailMessage => ({
  kind: "text",
  role: "visitor",
  authorName: null,
  text,
  createdAt: at + minute * 60_000,
});
const envelope = {
  from: "chat@shop.example",
  to: "jan@example.pl",
  language: "en",
  brand,
  timeZone: "Europe/Warsaw",
  unsubscribeUrl: "https://chat.example/u/abc?t=1",
  replyTo: "c-abc.aaaa.bbbbbbbbbbbbbbbb@reply.shop.example",
  chatUrl: "https://shop.example/?gadka=open",
};
const followUp = (over: Partial<Parameters<typeof buildFollowUp>[0]> = {}) =>
  buildFollowUp({ ...envelope, replies: [op("Your order has shipped.")], ...over });

describe("buildFollowUp", () => {
  it("is the structured form: from, to, Reply-To, subject, text, html, headers", () => {
    const m = followUp({ thread: ["<a@cf.example>", "<b@cf.example>"] });
    expect(m).toMatchObject({
      from: { name: "Demo Shop", email: "chat@shop.example" },
      to: "jan@example.pl",
      replyTo: envelope.replyTo,
      subject: "New reply from Demo Shop",
      headers: {
        "In-Reply-To": "<b@cf.example>",
        References: "<a@cf.example> <b@cf.example>",
        "List-Unsubscribe": "<https://chat.example/u/abc?t=1>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "Content-Language": "en",
        "X-Gadka-Kind": "follow_up",
      },
    });
    expect(m.text).toContain("Anna · Nov 30, 2026, 9:00 AM\nYour order has shipped.");
    expect(m.text).toContain("Open the chat: https://shop.example/?gadka=open");
    expect(m.text).toContain("Unsubscribe: https://chat.example/u/abc?t=1");
    expect(m.html).toContain('href="https://shop.example/?gadka=open"');
    expect(m.html).toContain('src="https://shop.example/logo.png"');
    expect(m.html).toContain("background:#0f766e");
  });

  it("counts only operators' text replies, in each language's plural", () => {
    const subjects = (language: string, counts: number[]) =>
      counts.map((n) => followUp({ language, replies: Array.from({ length: n }, (_, i) => op(`r${i}`, i)) }).subject);
    expect(subjects("en", [1, 2])).toEqual(["New reply from Demo Shop", "2 new replies from Demo Shop"]);
    expect(subjects("pl-PL", [1, 2, 5, 21, 22])).toEqual([
      "Nowa odpowiedź ze sklepu Demo Shop",
      "2 nowe odpowiedzi ze sklepu Demo Shop",
      "5 nowych odpowiedzi ze sklepu Demo Shop",
      "21 nowych odpowiedzi ze sklepu Demo Shop",
      "22 nowe odpowiedzi ze sklepu Demo Shop",
    ]);
    expect(subjects("ru", [1, 2, 5, 21, 22])).toEqual([
      "Новый ответ от магазина Demo Shop",
      "2 новых ответа от магазина Demo Shop",
      "5 новых ответов от магазина Demo Shop",
      "21 новый ответ от магазина Demo Shop",
      "22 новых ответа от магазина Demo Shop",
    ]);
    expect(subjects("fi", [1, 3])).toEqual(["Uusi vastaus kaupasta Demo Shop", "3 uutta vastausta kaupasta Demo Shop"]);
  });

  it("never shows a note or a system event", () => {
    const note: EmailMessage = { kind: "note", role: "operator", authorName: "Anna", text: "SECRET: refund fraud?", createdAt: at };
    const event: EmailMessage = { kind: "event", role: "system", authorName: null, text: "Anna joined", createdAt: at };
    const m = followUp({ replies: [note, op("Hello"), event] });
    for (const body of [m.text, m.html]) {
      expect(body).not.toContain("SECRET");
      expect(body).not.toContain("joined");
    }
    expect(m.subject).toBe("New reply from Demo Shop");
  });

  it("escapes everything from outside in the HTML", () => {
    const m = followUp({
      brand: { name: 'Bob\'s "Shop" <b>', logoUrl: 'https://x.example/l.png" onerror="alert(1)', accentColor: "red;background:url(x)" },
      replies: [{ ...op("<img src=x onerror=alert(1)> & <script>alert(2)</script>\nline 2"), authorName: "<script>alert(3)</script>" }],
    });
    expect(m.html).not.toMatch(/<script|<img src=x|onerror="|<b>/);
    expect(m.html).toContain("&#60;script&#62;alert(2)&#60;/script&#62;<br>line 2");
    expect(m.html).toContain("Bob&#39;s &#34;Shop&#34; &#60;b&#62;");
    expect(m.html).toContain('src="https://x.example/l.png%22%20onerror=%22alert(1)"');
    expect(m.html).toContain("background:#4f46e5"); // an invalid colour falls back
  });

  it("refuses links that are not web links, drops an http logo, keeps http unsubscribe in the body only", () => {
    expect(() => followUp({ chatUrl: "javascript:alert(1)" })).toThrow(/web link/);
    expect(() => followUp({ unsubscribeUrl: "data:text/html,x" })).toThrow(/web link/);
    const local = followUp({ unsubscribeUrl: "http://localhost:8787/u/abc", brand: { ...brand, logoUrl: "http://shop.example/logo.png" } });
    expect(local.headers).not.toHaveProperty("List-Unsubscribe");
    expect(local.headers).not.toHaveProperty("List-Unsubscribe-Post");
    expect(local.text).toContain("http://localhost:8787/u/abc");
    expect(local.html).not.toContain("<img");
  });
});

describe("header injection", () => {
  const hostile = "Eve\r\nBcc: everyone@victim.example\r\n\r\n<b>x</b>\u0000\u202eknab\u2028";
  it("strips control characters, separators and bidi overrides from names and subjects, and caps them", () => {
    const alert = buildOperatorAlert({
      ...envelope,
      to: "anna@shop.example",
      brand: { ...brand, name: `Shop\r\nX-Evil: 1${"s".repeat(200)}` },
      conversationUrl: "https://admin.example/c/1",
      visitorName: hostile,
      waitingSince: at,
      now: at + 5 * 60_000,
      messages: [visitor("help")],
    });
    for (const value of [alert.subject, (alert.from as EmailAddress).name, ...Object.values(alert.headers ?? {})]) {
      expect(value).not.toMatch(/[\p{Cc}\u2028\u2029\u202a-\u202e]/u);
    }
    expect(alert.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_CHARS);
    expect(alert.subject.startsWith("Eve Bcc: everyone@victim.example <b>x</b> knab is waiting")).toBe(true);
    expect((alert.from as EmailAddress).name.length).toBeLessThanOrEqual(80);
  });

  it("refuses an address that is not one plain address", () => {
    for (const to of ["jan@example.pl\r\nBcc: x@y.example", "Jan <jan@example.pl>", "jan@example.pl, eve@x.example", ""]) {
      expect(() => followUp({ to })).toThrow(/deliverable/);
    }
    expect(() => followUp({ replyTo: "c-x@reply.example\nBcc: x@y.example" })).toThrow(/deliverable/);
  });
});

describe("threading headers", () => {
  it("keeps the first id and the newest that fit in 2,048 bytes, dropping malformed ids", () => {
    const ids = Array.from({ length: 100 }, (_, i) => `<${String(i).padStart(3, "0")}-${"x".repeat(40)}@cf.example>`);
    const m = followUp({ thread: [...ids, "not-an-id", "<a b@c>", "<x@y>\r\nBcc: z@w"] });
    const refs = m.headers!.References!;
    expect(new TextEncoder().encode(refs).byteLength).toBeLessThanOrEqual(2048);
    expect(refs.startsWith(ids[0]!)).toBe(true);
    expect(refs.endsWith(ids[99]!)).toBe(true);
    expect(m.headers!["In-Reply-To"]).toBe(ids[99]);
    expect(followUp({ thread: [] }).headers).not.toHaveProperty("References");
  });
});

describe("buildTranscript", () => {
  it("holds the visitor's and operators' messages in order, with a count and a dated intro", () => {
    const m = buildTranscript({
      ...envelope,
      language: "pl",
      startedAt: at,
      messages: [visitor("Dzień dobry"), op("Witam!", 1), visitor("Dziękuję", 2)],
    });
    expect(m.subject).toBe("Twoja rozmowa ze sklepem Demo Shop");
    expect(m.text).toContain("Oto zapis Twojej rozmowy z 30 listopada 2026.");
    expect(m.text).toMatch(
      /Ty · 30 lis 2026, 09:00\nDzień dobry\n\nAnna · 30 lis 2026, 09:01\nWitam!\n\nTy · 30 lis 2026, 09:02\nDziękuję/,
    );
    expect(m.text).toContain("3 wiadomości");
    expect(m.headers).toMatchObject({ "X-Gadka-Kind": "transcript", "Content-Language": "pl" });
  });

  it("ends the Russian intro with the date's own full stop", () => {
    const m = buildTranscript({ ...envelope, language: "ru", startedAt: at, messages: [visitor("Здравствуйте")] });
    expect(m.text).toContain("Вот ваш чат от 30 ноября 2026 г.\n");
  });

  it("writes times on the given clock", () => {
    const m = buildTranscript({ ...envelope, timeZone: "America/New_York", startedAt: at, messages: [visitor("hi")] });
    expect(m.text).toContain("You · Nov 30, 2026, 3:00 AM");
  });
});

describe("buildOperatorAlert", () => {
  const alert = (language: string, minutes: number, visitorName: string | null = "Jan") =>
    buildOperatorAlert({
      ...envelope,
      language,
      to: "anna@shop.example",
      conversationUrl: "https://admin.example/c/1",
      visitorName,
      waitingSince: at,
      now: at + minutes * 60_000,
      messages: [visitor("Is anyone there?"), op("(never shown)")],
    });

  it("has no Reply-To, shows the visitor's messages only, and links to the conversation", () => {
    const m = alert("en", 5);
    expect(m.replyTo).toBeUndefined();
    expect(m.subject).toBe("Jan is waiting for an answer · Demo Shop");
    expect(m.text).toContain("Jan has been waiting for an answer for 5 minutes on Demo Shop.");
    expect(m.text).toContain("Jan · Nov 30, 2026, 9:00 AM\nIs anyone there?");
    expect(m.text).not.toContain("never shown");
    expect(m.text).toContain("Answer: https://admin.example/c/1");
    expect(m.text).toContain("Turn off these alerts: https://chat.example/u/abc?t=1");
  });

  it("words the wait in each language's case and plural", () => {
    const intro = (language: string, minutes: number, name: string | null = "Jan") => alert(language, minutes, name).text!.split("\n")[2];
    expect(intro("en", 1)).toBe("Jan has been waiting for an answer for 1 minute on Demo Shop.");
    expect(intro("en", 125, null)).toBe("A visitor has been waiting for an answer for 2 hours on Demo Shop.");
    expect([1, 2, 5, 22].map((n) => intro("pl", n))).toEqual([
      "Jan czeka na odpowiedź od 1 minuty w sklepie Demo Shop.",
      "Jan czeka na odpowiedź od 2 minut w sklepie Demo Shop.",
      "Jan czeka na odpowiedź od 5 minut w sklepie Demo Shop.",
      "Jan czeka na odpowiedź od 22 minut w sklepie Demo Shop.",
    ]);
    expect([1, 3, 21].map((n) => intro("ru", n, "Иван"))).toEqual([
      "Иван ждёт ответа уже 1 минуту (магазин Demo Shop).",
      "Иван ждёт ответа уже 3 минуты (магазин Demo Shop).",
      "Иван ждёт ответа уже 21 минуту (магазин Demo Shop).",
    ]);
    expect([1, 5, 60].map((n) => intro("fi", n, null))).toEqual([
      "Kävijä on odottanut vastausta 1 minuutin kaupassa Demo Shop.",
      "Kävijä on odottanut vastausta 5 minuuttia kaupassa Demo Shop.",
      "Kävijä on odottanut vastausta 1 tunnin kaupassa Demo Shop.",
    ]);
    expect(alert("pl", 3, null).subject).toBe("Ktoś czeka na odpowiedź · Demo Shop");
  });
});

describe("email dictionaries", () => {
  const all: [string, EmailStrings][] = [
    ["en", en],
    ["pl", pl],
    ["fi", fi],
    ["ru", ru],
  ];
  const plurals = (s: EmailStrings): [string, Plural][] => [
    ["followUp.subject", s.followUp.subject],
    ["transcript.count", s.transcript.count],
    ["alert.minutes", s.alert.minutes],
    ["alert.hours", s.alert.hours],
  ];

  it("have every plural form their language uses (0 to 200)", () => {
    for (const [lang, s] of all) {
      const rules = new Intl.PluralRules(s.locale);
      const needed = new Set(Array.from({ length: 201 }, (_, n) => rules.select(n)));
      for (const [key, forms] of plurals(s))
        for (const form of needed) expect([lang, key, form, forms[form] !== undefined]).toEqual([lang, key, form, true]);
    }
  });

  it("keep English's placeholders in every string", () => {
    const flat = (o: object, prefix = ""): [string, string][] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === "string" ? [[`${prefix}${k}`, v] as [string, string]] : flat(v, `${prefix}${k}.`),
      );
    const names = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const english = new Map(flat(en));
    for (const [lang, s] of all)
      for (const [key, value] of flat(s))
        expect([lang, key, names(value)]).toEqual([
          lang,
          key,
          names(english.get(key) ?? english.get(key.replace(/\.(one|few|many|other)$/, ".other"))!),
        ]);
  });

  it("map a recipient's language tag to one of the four", () => {
    expect(["pl-PL", "FI", "ru_RU", "en-GB", "de-AT", "", null].map(emailLanguage)).toEqual(["pl", "fi", "ru", "en", "en", "en", "en"]);
  });
});
