import { describe, expect, it } from "vitest";
import type { LiveVisitor } from "./live";
import { compareLive, decodeLiveCursor, encodeLiveCursor, liveKey, matchesLive, mergeLivePages } from "./live-order";

const visitor = (id: string, over: Partial<LiveVisitor> = {}): LiveVisitor => ({
  visitorId: id,
  name: null,
  email: null,
  verified: false,
  url: "https://shop.example/",
  title: null,
  pageSince: 1_000,
  visitStartedAt: 1_000,
  lastSeenAt: 1_000,
  source: null,
  returning: false,
  cart: null,
  conversationId: null,
  chatting: false,
  country: null,
  device: null,
  ...over,
});

describe("Live view orders and cursor", () => {
  it("orders totally (the id breaks ties) and ignores the heartbeat", () => {
    const a = visitor("v_a", { pageSince: 5 });
    const b = visitor("v_b", { pageSince: 5, lastSeenAt: 99 });
    const c = visitor("v_c", { pageSince: 9 });
    expect([a, b, c].sort(compareLive("recent")).map((v) => v.visitorId)).toEqual(["v_c", "v_a", "v_b"]);
    const chat = visitor("v_z", { chatting: true, pageSince: 1 });
    expect([a, c, chat].sort(compareLive("chatting"))[0]).toBe(chat);
    const big = visitor("v_y", { cart: { total: 19.99, currency: "EUR" } });
    expect(liveKey(big, "cart")[0]).toBe(1999);
    expect([a, big].sort(compareLive("cart"))[0]).toBe(big);
  });

  it("round-trips a cursor, bound to its order, and refuses anything else", () => {
    const v = visitor("v_Ab-9_x", { cart: { total: 12.5, currency: "EUR" }, pageSince: 1_733_100_000_000 });
    for (const sort of ["recent", "cart", "chatting"] as const) {
      const cursor = encodeLiveCursor(sort, v);
      expect(cursor).toMatch(/^[A-Za-z0-9_.-]+$/);
      expect(decodeLiveCursor(sort, cursor)).toEqual(liveKey(v, sort));
      for (const other of ["recent", "cart", "chatting"] as const) if (other !== sort) expect(decodeLiveCursor(other, cursor)).toBeNull();
    }
    expect(encodeLiveCursor("cart", visitor("v_n"))).toBe("cart.-1.rs.v_n");
    for (const bad of ["", "recent", "recent.1.2", "recent.1.2.v_a.x", "recent.1.2.v a", "recent.zzzzzzzzzzzzz.0.v", "recent.1.2.a|b"]) {
      expect(decodeLiveCursor("recent", bad), bad).toBeNull();
    }
  });

  it("merges shard pages into one page with nothing skipped or repeated", () => {
    const all = Array.from({ length: 17 }, (_, i) => visitor(`v_${String(i).padStart(2, "0")}`, { pageSince: (i * 7) % 5 }));
    const shards = [0, 1, 2].map((s) => all.filter((_, i) => i % 3 === s).sort(compareLive("recent")));
    const seen: string[] = [];
    let after: LiveVisitor | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const cursor = after ? liveKey(after, "recent") : null;
      const lists = shards.map((l) => l.filter((v) => !cursor || compareLive("recent")(v, after!) > 0).slice(0, 4));
      const { visitors, more } = mergeLivePages("recent", lists, 4, false);
      seen.push(...visitors.map((v) => v.visitorId));
      after = visitors.at(-1) ?? null;
      if (!more) break;
    }
    expect(seen).toEqual([...all].sort(compareLive("recent")).map((v) => v.visitorId));
  });

  it("filters with AND; q matches name, email, URL or title", () => {
    const v = visitor("v_q", { name: "Ewa", title: "AeroPress", cart: { total: 3, currency: "EUR" }, country: "PL", returning: true });
    expect(matchesLive(v, { q: "aero", cart: true, country: "PL", returning: true })).toBe(true);
    expect(matchesLive(v, { q: "ewa", chatting: true })).toBe(false);
    expect(matchesLive(v, { cart: false })).toBe(false);
    expect(matchesLive(visitor("v_0", { cart: { total: 0, currency: "EUR" } }), { cart: true })).toBe(false);
  });
});
