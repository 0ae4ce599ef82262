import { describe, expect, it } from "vitest";
import { commonConcerns, wordRuns } from "./phrases";

describe("wordRuns", () => {
  it("keeps Polish, Finnish and Russian letters, lower-cased, and splits runs at punctuation", () => {
    expect(wordRuns("Zamówienie nr 123 — gdzie JEST?")).toEqual([
      ["zamówienie", "nr", "123"],
      ["gdzie", "jest"],
    ]);
    expect(wordRuns("Milloin USB-kaapeli tulee? Entä EU:n ulkopuolelle")).toEqual([
      ["milloin", "usb-kaapeli", "tulee"],
      ["entä", "eu:n", "ulkopuolelle"],
    ]);
    expect(wordRuns("Ещё НЕ пришёл заказ")).toEqual([["еще", "не", "пришел", "заказ"]]);
  });

  it("writes each word one way: composed letters, one apostrophe", () => {
    // "pienię" + U+0328 combining ogonek after a plain e, and a typographic apostrophe.
    expect(wordRuns("Zwrot pienie\u0328dzy")).toEqual([["zwrot", "pieniędzy"]]);
    expect(wordRuns("I don’t know")).toEqual([["i", "don't", "know"]]);
  });

  it("does not glue times, lists or emoji into words", () => {
    expect(wordRuns("klo 10:30, ok 👍 thanks")).toEqual([["klo", "10"], ["30"], ["ok"], ["thanks"]]);
    expect(wordRuns("")).toEqual([]);
  });
});

describe("commonConcerns", () => {
  // Nine first messages in four languages; the counts below were worked by hand from the rules:
  // a word counts once per message unless it is a stop word or only digits; a phrase of 2–3
  // words within a run must start and end with such a word.
  const messages = [
    "Where is my order? I need a refund.",
    "Refund please, the order never arrived",
    "refund refund refund",
    "Zwrot pieniędzy za zamówienie",
    "Proszę o zwrot pieniędzy.",
    "Tilaus ei ole saapunut",
    "Milloin tilaus saapuu?",
    "Где мой заказ? Заказ ещё не пришёл",
    "Заказ не пришёл",
  ];

  it("counts the words and phrases visitors share, by messages", () => {
    expect(commonConcerns(messages)).toEqual({
      words: [
        { term: "refund", count: 3 },
        { term: "order", count: 2 },
        { term: "pieniędzy", count: 2 },
        { term: "tilaus", count: 2 },
        { term: "zwrot", count: 2 },
        { term: "заказ", count: 2 },
        { term: "пришел", count: 2 },
      ],
      phrases: [{ term: "zwrot pieniędzy", count: 2 }],
    });
  });

  it("keeps stop words inside a phrase, never at its edges, and each phrase once per message", () => {
    expect(commonConcerns(messages, { minCount: 1 }).phrases).toEqual([
      { term: "zwrot pieniędzy", count: 2 },
      { term: "never arrived", count: 1 },
      { term: "order never", count: 1 },
      { term: "order never arrived", count: 1 },
      { term: "pieniędzy za zamówienie", count: 1 },
      { term: "refund refund", count: 1 },
      { term: "refund refund refund", count: 1 },
      { term: "tilaus saapuu", count: 1 },
      { term: "заказ не пришел", count: 1 },
    ]);
  });

  it("drops greetings and phrases made only of stop words", () => {
    const r = commonConcerns([
      "Dzień dobry, czy jest?",
      "dzień dobry! czy jest",
      "Hello, is it there?",
      "hello is it there",
      "Здравствуйте, это где?",
      "здравствуйте это где",
    ]);
    expect(r).toEqual({ words: [], phrases: [] });
  });

  it("keeps the top k", () => {
    expect(commonConcerns(messages, { top: 2 }).words).toEqual([
      { term: "refund", count: 3 },
      { term: "order", count: 2 },
    ]);
  });
});
