import { describe, expect, it } from "vitest";
import { decodeClientFrame, utf8ByteLength } from "./decode";
import { MAX_FRAME_BYTES } from "./limits";

describe("decodeClientFrame", () => {
  it("accepts every valid frame type and trims message text", () => {
    expect(decodeClientFrame('{"type":"message.send","clientId":"a","text":" hi "}')).toEqual({
      ok: true,
      value: { type: "message.send", clientId: "a", text: "hi", kind: "text" },
    });
    for (const f of [
      { type: "typing", active: false },
      { type: "read", seq: 0 },
      { type: "history", before: 5 },
      { type: "status", status: "resolved" },
    ]) {
      expect(decodeClientFrame(JSON.stringify(f))).toEqual({ ok: true, value: f });
    }
  });

  it("drops unknown fields instead of passing them on", () => {
    const r = decodeClientFrame('{"type":"typing","active":true,"role":"operator"}');
    expect(r).toEqual({ ok: true, value: { type: "typing", active: true } });
  });

  it("measures size in UTF-8 bytes before parsing", () => {
    const text = "ż".repeat(MAX_FRAME_BYTES / 2); // 2 bytes each: just over the cap with the JSON around it
    const r = decodeClientFrame(JSON.stringify({ type: "message.send", clientId: "a", text }));
    expect(r.ok ? "ok" : r.error.code).toBe("too_large");
    expect(utf8ByteLength("aż€😀")).toBe(new TextEncoder().encode("aż€😀").byteLength);
  });

  it("keeps the clientId of a refused send", () => {
    const r = decodeClientFrame('{"type":"message.send","clientId":"k","text":""}');
    expect(r).toMatchObject({ ok: false, error: { code: "validation_failed", clientId: "k" } });
    expect(r.ok ? "" : r.error.message).toMatch(/text/);
  });
});
