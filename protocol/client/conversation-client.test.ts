import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../models";
import { ConversationClient, type SocketLike } from "./conversation-client";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  sends() {
    return this.sent.filter((s) => s !== "ping").map((s) => JSON.parse(s) as { type: string; clientId?: string });
  }
}

const msg = (seq: number, clientId = `c${seq}`): ChatMessage => ({
  seq,
  clientId,
  kind: "text",
  role: "visitor",
  authorId: "v",
  authorName: null,
  authorAvatar: null,
  text: `m${seq}`,
  createdAt: 0,
});
const info = { id: "c", siteId: "s", visitorId: "v", status: "open", lastSeq: 0, visitorReadSeq: 0, operatorReadSeq: 0, createdAt: 0 };

function setup(opts: { lastSeq?: number; renew?: () => Promise<boolean> } = {}) {
  const sockets: FakeSocket[] = [];
  const timers: (() => void)[] = [];
  const finals: number[] = [];
  const states: string[] = [];
  let n = 0;
  const client = new ConversationClient({
    ...(opts.renew ? { renewCredential: opts.renew } : {}),
    onFinal: (code) => finals.push(code),
    onState: (state) => states.push(state),
    url: (after) => `ws://x/c?after=${after ?? ""}`,
    connect: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    onFrame: () => {},
    newId: () => `id${++n}`,
    lastSeq: opts.lastSeq ?? null,
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => {},
  });
  return {
    client,
    sockets,
    finals,
    states,
    runTimers: () => {
      for (const f of timers.splice(0)) f();
    },
  };
}

describe("ConversationClient", () => {
  it("queues sends until the server's hello, then sends them in order", () => {
    const { client, sockets } = setup();
    client.start();
    client.send("one");
    client.send("two");
    sockets[0]!.open();
    expect(sockets[0]!.sends()).toEqual([]);
    sockets[0]!.receive({ type: "hello", conversation: info, messages: [], hasMore: false, resuming: false });
    expect(sockets[0]!.sends().map((f) => f.clientId)).toEqual(["id1", "id2"]);
  });

  it("waits for resume frames to finish before resending", () => {
    const { client, sockets } = setup({ lastSeq: 2 });
    client.start();
    client.send("x");
    sockets[0]!.open();
    sockets[0]!.receive({ type: "hello", conversation: info, messages: [msg(3)], hasMore: true, resuming: true });
    expect(sockets[0]!.sends()).toEqual([]);
    sockets[0]!.receive({ type: "resume", messages: [msg(4)], done: true });
    expect(sockets[0]!.sends()).toHaveLength(1);
    expect(client.lastSeq).toBe(4);
  });

  it("retries unacknowledged sends with the same clientId after a reconnect, resuming from the last seq", () => {
    const { client, sockets, runTimers } = setup();
    client.start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: "hello", conversation: info, messages: [msg(1)], hasMore: false, resuming: false });
    client.send("a");
    client.send("b");
    sockets[0]!.receive({ type: "ack", clientId: "id1", message: msg(2, "id1") });
    sockets[0]!.close();
    runTimers();
    expect(sockets[1]!.url).toBe("ws://x/c?after=2");
    sockets[1]!.open();
    sockets[1]!.receive({ type: "hello", conversation: info, messages: [], hasMore: true, resuming: false });
    expect(sockets[1]!.sends().map((f) => f.clientId)).toEqual(["id2"]);
    expect(client.unacknowledged.map((p) => p.text)).toEqual(["b"]);
  });

  it("drops a send the server refused for its content, keeps one refused for load", () => {
    const { client, sockets } = setup();
    client.start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: "hello", conversation: info, messages: [], hasMore: false, resuming: false });
    client.send("bad");
    client.send("later");
    sockets[0]!.receive({ type: "error", code: "validation_failed", message: "no", clientId: "id1" });
    sockets[0]!.receive({ type: "error", code: "rate_limited", message: "slow down", clientId: "id2" });
    expect(client.unacknowledged.map((p) => p.clientId)).toEqual(["id2"]);
  });

  it("sends a send refused for load again, with the same clientId, once its wait is over", () => {
    const { client, sockets, runTimers } = setup();
    client.start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: "hello", conversation: info, messages: [], hasMore: false, resuming: false });
    client.send("burst");
    sockets[0]!.receive({ type: "error", code: "rate_limited", message: "slow down", clientId: "id1", retryInMs: 500 });
    expect(sockets[0]!.sends().filter((f) => f.type === "message.send")).toHaveLength(1);
    runTimers();
    expect(
      sockets[0]!
        .sends()
        .filter((f) => f.type === "message.send")
        .map((f) => f.clientId),
    ).toEqual(["id1", "id1"]);
    // Once stored it is not sent again.
    sockets[0]!.receive({ type: "ack", clientId: "id1", message: msg(1, "id1") });
    runTimers();
    expect(sockets[0]!.sends().filter((f) => f.type === "message.send")).toHaveLength(2);
  });

  it("holds every later send while one waits after a refusal, then sends the outbox in the order written", () => {
    const { client, sockets, runTimers } = setup();
    client.start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: "hello", conversation: info, messages: [], hasMore: false, resuming: false });
    const sent = () =>
      sockets[0]!
        .sends()
        .filter((f) => f.type === "message.send")
        .map((f) => f.clientId);
    client.send("one");
    client.send("two");
    client.send("three");
    sockets[0]!.receive({ type: "ack", clientId: "id1", message: msg(1, "id1") });
    sockets[0]!.receive({ type: "error", code: "rate_limited", message: "slow down", clientId: "id2", retryInMs: 500 });
    sockets[0]!.receive({ type: "error", code: "rate_limited", message: "slow down", clientId: "id3", retryInMs: 400 });
    // Written while id2 waits: it must not reach the server before id2 does.
    client.send("four");
    expect(sent()).toEqual(["id1", "id2", "id3"]);
    runTimers();
    expect(sent()).toEqual(["id1", "id2", "id3", "id2", "id3", "id4"]);
  });

  it("replaces a socket that stays silent after a ping", () => {
    const { client, sockets, runTimers } = setup();
    client.start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: "hello", conversation: info, messages: [], hasMore: false, resuming: false });
    runTimers(); // ping sent
    expect(sockets[0]!.sent).toContain("ping");
    runTimers(); // nothing heard: close, then the reconnect timer is queued
    expect(sockets[0]!.readyState).toBe(3);
    runTimers();
    expect(sockets).toHaveLength(2);
  });

  it("abandons a handshake that never completes and tries again", () => {
    const { client, sockets, runTimers } = setup();
    client.start();
    expect(sockets).toHaveLength(1);
    runTimers(); // connect timeout: the socket never opened
    expect(sockets[0]!.readyState).toBe(3);
    runTimers(); // backoff elapsed
    expect(sockets).toHaveLength(2);
  });

  it("stops for good on 4403 and 4404 (no reconnect) and says why", () => {
    for (const code of [4403, 4404]) {
      const { client, sockets, finals, states, runTimers } = setup();
      client.start();
      sockets[0]!.open();
      sockets[0]!.close(code);
      runTimers();
      runTimers();
      expect(sockets, String(code)).toHaveLength(1);
      expect(finals).toEqual([code]);
      expect(states.at(-1)).toBe("closed");
    }
  });

  it("on 4401 renews the credential once and reconnects; a second 4401 without a healthy connection is final", async () => {
    let renewals = 0;
    const { client, sockets, finals, runTimers } = setup({ renew: async () => ++renewals > 0 });
    client.start();
    sockets[0]!.open();
    sockets[0]!.close(4401);
    await Promise.resolve();
    expect(renewals).toBe(1);
    expect(sockets).toHaveLength(2); // at once, no backoff
    sockets[1]!.open();
    sockets[1]!.close(4401);
    await Promise.resolve();
    runTimers();
    expect(renewals).toBe(1);
    expect(sockets).toHaveLength(2);
    expect(finals).toEqual([4401]);
  });

  it("renews again after a healthy connection, and retries a renewal that failed to reach the server", async () => {
    let calls = 0;
    const { client, sockets, finals, runTimers } = setup({
      renew: async () => {
        calls++;
        if (calls === 2) throw new Error("offline");
        return true;
      },
    });
    client.start();
    sockets[0]!.open();
    sockets[0]!.close(4401);
    await Promise.resolve();
    sockets[1]!.open();
    sockets[1]!.receive({ type: "hello", conversation: info, messages: [], hasMore: false, resuming: false });
    sockets[1]!.close(4401); // healthy in between: renewing again is allowed
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toBe(2);
    runTimers(); // the failed renewal waits like a network error, then connects again
    expect(sockets).toHaveLength(3);
    expect(finals).toEqual([]);
  });
});
