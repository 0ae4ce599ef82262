// Issue 11's server side under real `wrangler dev` (no browser): the session's availability, the
// chat's email capture, a transcript landing in the local sent-mail list (nothing leaves the
// machine), and a visitor's raw reply to its Reply-To address posted to wrangler's own email
// endpoint (the Worker's real `email()` export) and to Gadka's development door, appearing in the
// operator's conversation once. Also: a forged address is refused by both.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import type { ConversationDetailResponse, SentMailResponse, VisitorSessionResponse } from "../../protocol";
import { root } from "../../scripts/lib/dev-server.mjs";
import { operatorApi } from "./operator-api";

const base = inject("baseUrl");
const json = { origin: base, "content-type": "application/json" };
const fixture = (name: string) => readFileSync(join(root, "test/fixtures/email", name), "utf8");

describe("offline mail under wrangler dev", () => {
  it("capture → transcript in the sent-mail list → a raw reply continues the conversation, once", async () => {
    const session = (await (
      await fetch(`${base}/api/widget/session`, { method: "POST", headers: json, body: JSON.stringify({ siteKey: "pk_demo_shop" }) })
    ).json()) as VisitorSessionResponse;
    expect(["online", "away", "closed"]).toContain(session.availability.state);
    expect(session.availability.askEmailAfterSeconds).not.toBeNull();
    const auth = { ...json, authorization: `Bearer ${session.token}` };
    const { conversationId } = (await (await fetch(`${base}/api/widget/conversations`, { method: "POST", headers: auth })).json()) as {
      conversationId: string;
    };
    const email = `e2e-${Date.now()}@example.com`;
    const captured = await fetch(`${base}/api/widget/email`, { method: "POST", headers: auth, body: JSON.stringify({ email }) });
    expect(await captured.json()).toEqual({ email, verified: false });
    const again = (await (
      await fetch(`${base}/api/widget/session`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ siteKey: "pk_demo_shop", token: session.token }),
      })
    ).json()) as VisitorSessionResponse;
    expect(again.email).toBe(email);
    expect(again.availability.askEmailAfterSeconds).toBeNull();

    const transcript = await fetch(`${base}/api/widget/transcript`, { method: "POST", headers: auth });
    expect(transcript.status).toBe(202);
    const owner = await operatorApi(base);
    const list = await owner.json<SentMailResponse>("/api/sites/site_demo/sent-mail");
    const mail = list.mails.find((m) => m.conversationId === conversationId);
    expect(mail).toMatchObject({ kind: "transcript", to: email });
    // Links point at this server (PUBLIC_URL from the dev server's port).
    expect(mail!.text).toContain(`${base}/api/email/unsubscribe?t=`);
    const replyTo = mail!.replyTo!;
    expect(replyTo).toMatch(/^c-.+@reply\.gadka\.example$/);

    // wrangler's own inbound endpoint runs the Worker's email() export.
    const raw = fixture("gmail-pl.eml");
    const handled = await fetch(`${base}/cdn-cgi/handler/email?from=jan%40example.net&to=${encodeURIComponent(replyTo)}`, {
      method: "POST",
      body: raw,
    });
    expect(await handled.text()).toMatch(/successfully processed/i);
    // The same mail again through the development door: a duplicate.
    const door = await fetch(`${base}/api/email/dev-inbound?from=jan%40example.net&to=${encodeURIComponent(replyTo)}`, {
      method: "POST",
      body: raw,
    });
    expect(await door.json()).toMatchObject({ outcome: "duplicate", conversationId });

    const detail = await owner.json<ConversationDetailResponse>(`/api/sites/site_demo/conversations/${conversationId}`);
    const viaEmail = detail.messages.filter((m) => m.via === "email");
    expect(viaEmail.map((m) => m.text)).toEqual(["Dziękuję, to mi pasuje!\nCzy mogę prosić o numer przesyłki?"]);

    // A forged address: rejected by the handler, a coded error from the door.
    const forged = replyTo.replace(/^c-./, (s) => (s === "c-a" ? "c-b" : "c-a"));
    const refused = await fetch(`${base}/cdn-cgi/handler/email?from=jan%40example.net&to=${encodeURIComponent(forged)}`, {
      method: "POST",
      body: raw,
    });
    expect(await refused.text()).toMatch(/rejected/i);
    const coded = await fetch(`${base}/api/email/dev-inbound?from=jan%40example.net&to=${encodeURIComponent(forged)}`, {
      method: "POST",
      body: raw,
    });
    expect(coded.status).toBe(422);
  });
});
