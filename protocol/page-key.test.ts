import { describe, expect, it } from "vitest";
import { pageKey } from "./page-key";

describe("pageKey", () => {
  it.each([
    ["https://Shop.example/Products/Mug/?utm_source=x#reviews", "/products/mug"],
    ["https://shop.example", "/"],
    ["https://shop.example/", "/"],
    ["https://shop.example/?q=1", "/"],
    ["http://localhost:8787/demo/grinder.html", "/demo/grinder.html"],
    ["/cart", "/cart"],
    ["/cart/", "/cart"],
    ["/a//", "/a"],
    ["/a/#x/y", "/a"],
    ["/a?x=/b/", "/a"],
    ["cart", "/cart"],
    ["", "/"],
    // Browsers give the path percent-encoded; the key keeps it so (in lower case).
    ["https://sklep.example/%C5%81y%C5%BCki/", "/%c5%81y%c5%bcki"],
  ])("%s → %s", (url, key) => {
    expect(pageKey(url)).toBe(key);
  });

  it("keys the same page alike on www and bare domains, with any query or hash", () => {
    const keys = new Set(
      [
        "https://www.shop.example/p/1",
        "https://shop.example/p/1/",
        "https://shop.example/p/1?ref=mail",
        "https://shop.example/P/1#top",
      ].map(pageKey),
    );
    expect([...keys]).toEqual(["/p/1"]);
  });

  it("cuts very long paths to 300 characters", () => {
    expect(pageKey(`/${"a".repeat(1000)}`)).toHaveLength(300);
  });
});
