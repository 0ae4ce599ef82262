// Branding (issue 12): validated through the settings route, the text colour's contrast on the
// accent refused below 4.5:1 with a coded error (also when only the accent changes), the
// launcher's look on a page view's answer, and the logo in the chat's session settings.
import { beforeAll, describe, expect, it } from "vitest";
import { contrastRatio, type SiteSettingsResponse, type VisitorSessionResponse } from "../../protocol";
import { api, login, seedSite } from "./helpers";
import { SHOP, track } from "./tracking-helpers";

let owner: string;
const settings = "/api/sites/site_brand/settings";
const patch = (json: unknown) => api(settings, { method: "PATCH", cookie: owner, json });

beforeAll(async () => {
  await seedSite({ id: "site_brand", key: "pk_brand" }, [{ id: "op_brand_owner", email: "owner@brand.test", name: "Bea", role: "owner" }]);
  owner = await login("owner@brand.test");
});

describe("branding settings", () => {
  it("computes WCAG contrast", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#ffffff", "#ffffff")).toBe(1);
    // #767676 on white is the classic 4.54:1, just over AA.
    expect(contrastRatio("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
    expect(contrastRatio("#ffffff", "#777777")).toBeLessThan(4.5);
  });

  it("saves a readable branding and returns it with defaults filled in", async () => {
    const r = await patch({
      accentColor: "#0f766e",
      branding: {
        textColor: "#ffffff",
        position: "left",
        offsetX: 32,
        offsetY: 24,
        label: "  Chat with us ",
        hideOnMobile: true,
        locale: "fi",
      },
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as SiteSettingsResponse;
    expect(body.accentColor).toBe("#0f766e");
    expect(body.branding).toEqual({
      logoUrl: null,
      textColor: "#ffffff",
      position: "left",
      offsetX: 32,
      offsetY: 24,
      label: "Chat with us",
      hideOnMobile: true,
      launcher: "default",
      locale: "fi",
    });
    const again = (await (await api(settings, { cookie: owner })).json()) as SiteSettingsResponse;
    expect(again.branding.position).toBe("left");
  });

  it("refuses low contrast (422 validation_failed, 'low contrast' in the message) and stores nothing", async () => {
    const before = (await (await api(settings, { cookie: owner })).json()) as SiteSettingsResponse;
    // White on a light yellow: 1.1:1.
    const r = await patch({ branding: { ...before.branding, textColor: "#ffffff" }, accentColor: "#fde047" });
    expect(r.status).toBe(422);
    const e = (await r.json()) as { error: { code: string; message: string } };
    expect(e.error.code).toBe("validation_failed");
    expect(e.error.message).toMatch(/^branding\.textColor: low contrast: #ffffff on #fde047 has a contrast of 1\.\d\d:1; at least 4\.5:1/);
    // Only the accent: checked against the stored text colour (white).
    const accentOnly = await patch({ accentColor: "#a3e635" });
    expect(accentOnly.status).toBe(422);
    expect(((await accentOnly.json()) as { error: { message: string } }).error.message).toMatch(/low contrast/);
    // Only the text colour: checked against the stored accent.
    const textOnly = await patch({ branding: { ...before.branding, textColor: "#5eead4" } });
    expect(textOnly.status).toBe(422);
    expect(((await textOnly.json()) as { error: { message: string } }).error.message).toMatch(/low contrast/);
    const after = (await (await api(settings, { cookie: owner })).json()) as SiteSettingsResponse;
    expect(after.accentColor).toBe(before.accentColor);
    expect(after.branding).toEqual(before.branding);
    // Dark text on the light accent is fine.
    expect((await patch({ accentColor: "#fde047", branding: { ...before.branding, textColor: "#1f2937" } })).status).toBe(200);
  });

  it("refuses malformed branding fields with validation_failed", async () => {
    for (const branding of [
      { textColor: "white" },
      { position: "top" },
      { offsetX: -1 },
      { offsetY: 201 },
      { offsetX: 1.5 },
      { label: "x".repeat(41) },
      { launcher: "floating" },
      { locale: "de" },
      { logoUrl: "http://shop.example/logo.png" },
      { logoUrl: "javascript:alert(1)" },
      { hideOnMobile: "yes" },
    ]) {
      const r = await patch({ branding });
      expect(r.status, JSON.stringify(branding)).toBe(422);
      const e = ((await r.json()) as { error: { code: string; message: string } }).error;
      expect(e.code).toBe("validation_failed");
      expect(e.message).not.toMatch(/low contrast/);
    }
  });

  it("puts the launcher's look on a page view's answer (not on pings) and the logo in the chat session", async () => {
    expect(
      (
        await patch({
          accentColor: "#1e3a8a",
          branding: {
            textColor: "#ffffff",
            position: "left",
            offsetX: 40,
            offsetY: 12,
            label: "Ask us",
            hideOnMobile: true,
            launcher: "hidden",
            locale: "pl",
            logoUrl: "https://cdn.shop.example/logo.png",
          },
        })
      ).status,
    ).toBe(200);
    const view = await track({ k: "pk_brand", e: "view", u: `${SHOP}/` });
    expect(view.b).toEqual(["#1e3a8a", "#ffffff", "l", 40, 12, "Ask us", 1, 1, "pl"]);
    const ping = await track({ k: "pk_brand", t: view.t, e: "ping", u: `${SHOP}/`, ms: 1000 });
    expect(ping.b).toBeUndefined();
    const s = await api("/api/widget/session", { method: "POST", json: { siteKey: "pk_brand" } });
    expect(((await s.json()) as VisitorSessionResponse).settings.logoUrl).toBe("https://cdn.shop.example/logo.png");
  });
});
