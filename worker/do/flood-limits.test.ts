// The flood limits' budgets on a clock of their own: bursts, refill, retry times, and one answer
// per refused typing stretch.
import { describe, expect, it } from "vitest";
import { FloodLimits } from "./flood-limits";

const socket = () => ({}) as WebSocket;

describe("flood limits", () => {
  it("lets 20 messages through at once, then one per 500 ms, and says when the next may go", () => {
    const limits = new FloodLimits();
    const ws = socket();
    const t = 1_000_000;
    expect(Array.from({ length: 20 }, (_, i) => limits.send(ws, t, `m${i}`))).toEqual(Array(20).fill(0));
    expect(limits.send(ws, t, "m20")).toBe(500);
    expect(limits.send(ws, t + 200, "m20")).toBe(300);
    expect(limits.send(ws, t + 500, "m20")).toBe(0);
    expect(limits.send(ws, t + 500, "m21")).toBe(500);
    // Ten quiet seconds refill the whole burst, never more.
    expect(Array.from({ length: 21 }, (_, i) => limits.send(ws, t + 60_000, `m${21 + i}`)).filter((x) => x === 0)).toHaveLength(20);
    // Another socket has its own budget.
    expect(limits.send(socket(), t, "m0")).toBe(0);
  });

  it("lets no later message overtake a refused one, even once a token is free", () => {
    const limits = new FloodLimits();
    const ws = socket();
    const t = 2_000_000;
    for (let i = 0; i < 20; i++) limits.send(ws, t, `m${i}`);
    expect(limits.send(ws, t, "m20")).toBe(500);
    // The burst's next frames, processed after the refill (a slow server), or a new message
    // written while m20 waits: refused until m20 itself has gone.
    expect(limits.send(ws, t + 600, "m21")).toBeGreaterThan(0);
    expect(limits.send(ws, t + 700, "m22")).toBeGreaterThan(0);
    expect(limits.send(ws, t + 800, "m20")).toBe(0);
    expect(limits.send(ws, t + 1000, "m21")).toBe(0);
    expect(limits.send(ws, t + 1000, "m22")).toBeGreaterThan(0);
  });

  it("lets 10 typing frames through at once, answers the first refused one only, and recovers after 100 ms", () => {
    const limits = new FloodLimits();
    const ws = socket();
    const t = 5_000_000;
    expect(Array.from({ length: 10 }, () => limits.typing(ws, t))).toEqual(Array(10).fill("ok"));
    expect([limits.typing(ws, t), limits.typing(ws, t + 10), limits.typing(ws, t + 20)]).toEqual(["refused", "quiet", "quiet"]);
    expect(limits.typing(ws, t + 100)).toBe("ok");
    expect(limits.typing(ws, t + 100)).toBe("refused");
    // 2.5 frames a second (typing with preview) never meets the limit.
    expect(Array.from({ length: 50 }, (_, i) => limits.typing(ws, t + 10_000 + i * 400)).every((x) => x === "ok")).toBe(true);
  });
});
