import { describe, expect, it } from "vitest";
import { MAX_SCANNED_CHARS, newTextOfReply } from "./reply-text";

const cut = (...lines: string[]) => newTextOfReply(lines.join("\r\n"));

describe("newTextOfReply", () => {
  it("keeps the answers of an inline reply and drops the quotes between them", () => {
    expect(cut("On 30/11/2026 09:00, Demo Shop wrote:", "> Which size?", "M, please.", "", "> And the colour?", "Blue.")).toBe(
      "M, please.\n\nBlue.",
    );
  });

  it("cuts at Outlook's separators and forwarded-message markers", () => {
    expect(cut("See below.", "", "-----Original Message-----", "From: Demo Shop", "Hello")).toBe("See below.");
    expect(cut("FYI", "", "---------- Forwarded message ---------", "From: x")).toBe("FYI");
    expect(cut("Proszę spojrzeć", "", "-----Oryginalna wiadomość-----", "Od: x")).toBe("Proszę spojrzeć");
    expect(cut("Katso", "", "Välitetty viesti alkaa:", "Lähettäjä: x")).toBe("Katso");
  });

  it("recognises Yandex and Mail.ru style attributions without a verb", () => {
    expect(cut("Спасибо!", "", '30.11.2026, 09:00, "Demo Shop" <chat@shop.example>:', "> Заказ отправлен")).toBe("Спасибо!");
  });

  it("leaves a sentence that only looks like an attribution when no quote follows", () => {
    const text = "I wrote to you on 30.11 about this:\n- the size\n- the colour";
    expect(newTextOfReply(text)).toBe(text);
    expect(newTextOfReply("From: my old address you have\nTo be honest it is fine.")).toBe(
      "From: my old address you have\nTo be honest it is fine.",
    );
  });

  it("drops device lines only at the end and only when they name a device", () => {
    expect(cut("Tak", "", "Wysłane z iPhone’a")).toBe("Tak");
    expect(cut("Да", "", "Отправлено из мобильной Почты Mail.ru")).toBe("Да");
    expect(cut("Kyllä", "", "Lähetetty Android-laitteesta")).toBe("Kyllä");
    expect(cut("Paketti on lähetetty.", "Lähetetty eilen.")).toBe("Paketti on lähetetty.\nLähetetty eilen.");
    expect(cut("Sent from my iPhone", "", "and more text")).toBe("Sent from my iPhone\n\nand more text");
  });

  it("cuts '-- ' signatures, and '--' only near the end", () => {
    expect(cut("Hi", "-- ", "Jan", "+48 600 100 200")).toBe("Hi");
    expect(cut("Hi", "--", "Jan")).toBe("Hi");
    const long = ["a", "--", ...Array.from({ length: 15 }, (_, i) => `line ${i}`)];
    expect(cut(...long)).toBe(long.join("\n"));
  });

  it("keeps sign-offs, trims blank lines, and gives '' for a reply of only quotes", () => {
    expect(cut("", "", "Pozdrawiam,", "Jan", "", "", "", "")).toBe("Pozdrawiam,\nJan");
    expect(cut("> just the quote", "> nothing new")).toBe("");
    expect(cut("a", "", "", "", "b")).toBe("a\n\nb");
  });

  it("reads at most MAX_SCANNED_CHARS of a hostile body (many rules and blank lines)", () => {
    const hostile = `${"_".repeat(30)}\n${"\n".repeat(50_000)}`.repeat(20);
    const started = Date.now();
    expect(newTextOfReply(`${hostile}tail`)).toBe("");
    console.log(`newTextOfReply: ${hostile.length} characters in ${Date.now() - started} ms`);
    expect(newTextOfReply(`${"x".repeat(MAX_SCANNED_CHARS - 2)}\nyz`)).toBe(`${"x".repeat(MAX_SCANNED_CHARS - 2)}\ny`);
  });
});
