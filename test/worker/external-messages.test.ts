// The conversation service's door for messages that do not come through a socket (the email
// work's replies): it proves the conversation is the site's through D1 before its Durable Object
// is touched, and holds the text to the protocol's rules. (What the room then stores is the
// room's appendExternal, tested with it.)
import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../worker/lib/api-error";
import { newId } from "../../worker/lib/crypto";
import { appendExternalMessage } from "../../worker/services/conversations";
import { seedSite, startConversation, visitorSession } from "./helpers";

let conversationId: string;

beforeAll(async () => {
  await seedSite({ id: "site_em", key: "pk_em" }, [{ id: "op_em", email: "o@em.test", name: "O", role: "owner" }]);
  await seedSite({ id: "site_em2", key: "pk_em2" }, [{ id: "op_em2", email: "o@em2.test", name: "O", role: "owner" }]);
  conversationId = await startConversation((await visitorSession("pk_em")).token);
});

const reply = { clientId: "mail-1", text: "Thanks, that works", via: "email" as const };

describe("appendExternalMessage", () => {
  it("refuses a made-up id or another site's conversation without touching any Durable Object", async () => {
    const before = (await listDurableObjectIds(env.CONVERSATION)).length;
    expect(await appendExternalMessage(env, "site_em", newId("c"), reply)).toBeNull();
    expect(await appendExternalMessage(env, "site_em", "not-an-id", reply)).toBeNull();
    expect(await appendExternalMessage(env, "site_em2", conversationId, reply)).toBeNull();
    expect((await listDurableObjectIds(env.CONVERSATION)).length).toBe(before);
  });

  it("holds the text and the client id to the protocol's rules", async () => {
    for (const bad of [
      { ...reply, text: "   " },
      { ...reply, text: "x".repeat(4001) },
      { ...reply, clientId: "" },
    ]) {
      const err = await appendExternalMessage(env, "site_em", conversationId, bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe("validation_failed");
    }
  });
});
