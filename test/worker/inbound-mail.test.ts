// A visitor's reply by email, end to end in workerd: the Worker's real `email()` handler with a
// ForwardableEmailMessage built from each mail client's raw fixture, the signed reply address,
// the conversation room (ordering, idempotency, live to operators), and the development door.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../protocol";
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
import { replyAddress } from "../../worker/email/addresses";
import { MAX_INBOUND_BYTES } from "../../worker/email/inbound";
import worker from "../../worker/index";
import { api, login, mustOpen, seedSite, startConversation, visitorSession } from "./helpers";

const SITE = "site_in";
const DOMAIN = "reply.gadka.example";
let owner: string;

beforeAll(async () => {
  await seedSite({ id: SITE, key: "pk_in", name: "Inbound Shop" }, [{ id: "op_in", email: "o@in.test", name: "Olga", role: "owner" }]);
  owner = await login("o@in.test");
});

const NEW = {
  en: "Thanks, that works for me!\nCould you send me the tracking number?",
  pl: "Dziękuję, to mi pasuje!\nCzy mogę prosić o numer przesyłki?",
  fi: "Kiitos, se sopii minulle!\nVoisitteko lähettää seurantanumeron?",
  ru: "Спасибо, мне подходит!\nМожно номер для отслеживания?",
};

const REPLIES: [name: string, raw: string, text: string][] = [
  ["gmail-en", gmailEn, NEW.en],
  ["gmail-pl", gmailPl, NEW.pl],
  ["gmail-fi", gmailFi, NEW.fi],
  ["gmail-ru", gmailRu, NEW.ru],
  ["outlook-en", outlookEn, "Hi Anna,\n\nThanks, that works for me! Could you send me the tracking number?\n\nKind regards,\nJan"],
  ["outlook-pl", outlookPl, "Dzień dobry,\n\nDziękuję, to mi pasuje! Czy mogę prosić o numer przesyłki?\n\nPozdrawiam\nJan Kowalski"],
  ["outlook-fi", outlookFi, "Hei Anna,\n\nKiitos, se sopii minulle! Voisitteko lähettää seurantanumeron?\n\nYstävällisin terveisin\nMatti"],
  ["outlook-ru", outlookRu, "Добрый день,\n\nСпасибо, мне подходит! Можно номер для отслеживания?\n\nС уважением,\nИван Петров"],
  ["outlook-web-en", outlookWebEn, NEW.en],
  ["outlook-web-pl", outlookWebPl, NEW.pl],
  ["outlook-web-fi", outlookWebFi, NEW.fi],
  ["outlook-web-ru", outlookWebRu, NEW.ru],
  ["apple-en", appleEn, NEW.en],
  ["apple-pl", applePl, NEW.pl],
  ["apple-fi", appleFi, NEW.fi],
  ["apple-ru", appleRu, NEW.ru],
  ["thunderbird-en", thunderbirdEn, NEW.en],
  ["thunderbird-pl", thunderbirdPl, NEW.pl],
  ["thunderbird-fi", thunderbirdFi, NEW.fi],
  ["thunderbird-ru", thunderbirdRu, NEW.ru],
];

/** A ForwardableEmailMessage as Email Routing hands it to the Worker, recording what the handler did. */
function inbound(raw: string | Uint8Array, to: string, from = "visitor@example.net", rawSize?: number) {
  const bytes = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  const calls: { rejected: string | null } = { rejected: null };
  const message = {
    from,
    to,
    raw: new Response(bytes).body!,
    rawSize: rawSize ?? bytes.byteLength,
    headers: new Headers(),
    setReject(reason: string) {
      calls.rejected = reason;
    },
    forward: async () => ({}) as EmailSendResult,
    reply: async () => ({}) as EmailSendResult,
  } as unknown as ForwardableEmailMessage;
  return { message, calls };
}

async function deliver(raw: string | Uint8Array, to: string, rawSize?: number): Promise<{ rejected: string | null }> {
  const { message, calls } = inbound(raw, to, "visitor@example.net", rawSize);
  const ctx = createExecutionContext();
  await worker.email!(message, env, ctx);
  await waitOnExecutionContext(ctx);
  return calls;
}

async function newConversation(language: string | null = null): Promise<{ id: string; to: string; token: string }> {
  const s = await visitorSession("pk_in");
  const id = await startConversation(s.token);
  if (language)
    await env.DB.prepare("UPDATE visitors SET language = ? WHERE site_id = ? AND id = ?").bind(language, SITE, s.visitorId).run();
  return { id, token: s.token, to: await replyAddress(env.TOKEN_SECRET, id, { domain: DOMAIN, now: Date.now() }) };
}

async function messages(id: string): Promise<ChatMessage[]> {
  return (await env.CONVERSATION.getByName(id).history(SITE, null, 100))!.messages.filter((m) => m.kind === "text");
}

describe("email(): replies from each mail client and language", () => {
  it.each(REPLIES)("%s appends exactly the new text as the visitor's message via email", async (_name, raw, text) => {
    const c = await newConversation();
    expect(await deliver(raw, c.to)).toEqual({ rejected: null });
    const texts = await messages(c.id);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ role: "visitor", text, via: "email" });
  });

  it("reaches an operator looking at the conversation live, and the visitor's chat on the next visit", async () => {
    const c = await newConversation();
    const o = await mustOpen(`/ws/sites/${SITE}/conversations/${c.id}`, { cookie: owner });
    await o.next("hello");
    await deliver(gmailEn, c.to);
    const live = await o.next("message");
    expect(live.message).toMatchObject({ role: "visitor", text: NEW.en, via: "email" });
    o.close();
    const v = await mustOpen(`/ws/visitor/conversations/${c.id}?token=${encodeURIComponent(c.token)}`);
    const hello = await v.next("hello");
    expect(hello.messages.at(-1)).toMatchObject({ text: NEW.en, via: "email" });
    v.close();
  });

  it("notes attachments in the visitor's language, never stores them", async () => {
    const en = await newConversation("en-GB");
    await deliver(gmailAttachmentsEn, en.to);
    expect((await messages(en.id))[0]!.text).toBe("Here is a photo of the damaged box and the invoice.\n\n(2 attachments not shown)");
    const pl = await newConversation("pl");
    await deliver(gmailAttachmentsEn, pl.to);
    expect((await messages(pl.id))[0]!.text).toMatch(/\(2 załączniki niepokazane\)$/);
  });

  it("a duplicate delivery (same Message-ID) is appended once", async () => {
    const c = await newConversation();
    await deliver(outlookPl, c.to);
    await deliver(outlookPl, c.to);
    await deliver(outlookPl.replace("Subject:", "X-Retry: 1\r\nSubject:"), c.to);
    expect(await messages(c.id)).toHaveLength(1);
  });

  it.each([
    ["auto-reply-outlook-en", autoReplyOutlookEn],
    ["auto-reply-gmail-pl", autoReplyGmailPl],
    ["auto-reply-ru", autoReplyRu],
    ["bounce", bounce],
  ])("%s is accepted and ignored: nothing appended, no bounce back", async (_name, raw) => {
    const c = await newConversation();
    expect(await deliver(raw, c.to)).toEqual({ rejected: null });
    expect(await messages(c.id)).toHaveLength(0);
  });
});

describe("email(): what is refused", () => {
  it("a forged, altered, foreign-domain or unknown-conversation address is rejected and nothing is touched", async () => {
    const c = await newConversation();
    const [local, domain] = c.to.split("@") as [string, string];
    const flipped = `${local.slice(0, -1)}${local.endsWith("a") ? "b" : "a"}@${domain}`;
    const otherConversation = await replyAddress("another-secret", c.id, { domain: DOMAIN, now: Date.now() });
    const unknown = await replyAddress(env.TOKEN_SECRET, "c_AAAAAAAAAAAAAAAAAAAAAA", { domain: DOMAIN, now: Date.now() });
    for (const to of [
      flipped,
      `${local}@evil.example`,
      otherConversation,
      unknown,
      "support@reply.gadka.example",
      `conv-${c.id}@${DOMAIN}`,
    ]) {
      const r = await deliver(gmailEn, to);
      expect(r.rejected, to).toBe("Unknown address.");
    }
    expect(await messages(c.id)).toHaveLength(0);
  });

  it("an expired reply address is rejected", async () => {
    const c = await newConversation();
    const old = await replyAddress(env.TOKEN_SECRET, c.id, { domain: DOMAIN, now: Date.now() - 200 * 86_400_000 });
    expect((await deliver(gmailEn, old)).rejected).toBe("Unknown address.");
  });

  it("malformed and oversize mail is rejected cleanly", async () => {
    const c = await newConversation();
    expect((await deliver("this is not mail at all", c.to)).rejected).toMatch(/header/);
    expect((await deliver("Subject: hi\r\n\r\nno sender here", c.to)).rejected).toMatch(/sender/);
    expect((await deliver(gmailEn, c.to, MAX_INBOUND_BYTES + 1)).rejected).toMatch(/at most/);
    const huge = new Uint8Array(MAX_INBOUND_BYTES + 10).fill(0x61);
    huge.set(new TextEncoder().encode("From: a@b.com\r\n\r\n"));
    expect((await deliver(huge, c.to, 100)).rejected).toMatch(/at most/);
    expect(await messages(c.id)).toHaveLength(0);
  });
});

describe("the development inbound door", () => {
  it("posts a raw reply through the same code, with coded errors", async () => {
    const c = await newConversation();
    const post = (to: string, body: string) =>
      api(`/api/email/dev-inbound?from=visitor%40example.net&to=${encodeURIComponent(to)}`, { method: "POST", body });
    const ok = await post(c.to, thunderbirdFi);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ outcome: "appended", conversationId: c.id, seq: 1 });
    expect(await (await post(c.to, thunderbirdFi)).json()).toMatchObject({ outcome: "duplicate", seq: 1 });
    expect(await (await post(c.to, autoReplyRu)).json()).toEqual({ outcome: "ignored", reason: "auto_reply" });
    const bad = await post(`x${c.to}`, thunderbirdFi);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ error: { code: "validation_failed", message: "Unknown address." } });
    expect((await api("/api/email/dev-inbound", { method: "POST", body: "x" })).status).toBe(422);
  });
});
