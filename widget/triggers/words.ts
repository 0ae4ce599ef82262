/**
 * The teaser's own words in English, Polish, Finnish and Russian (the message itself is the
 * owner's). No string here counts anything, so none needs plural forms; the free-delivery amount
 * is money, formatted by Intl in the same language.
 */
const en = {
  close: "Close message",
  reply: "Reply",
  copy: "Copy code",
  copied: "Copied",
  more: "{} more for free delivery",
  free: "Your order ships free",
};
export type Words = typeof en;

const dictionaries: Record<string, Words> = {
  en,
  pl: {
    close: "Zamknij wiadomość",
    reply: "Odpowiedz",
    copy: "Skopiuj kod",
    copied: "Skopiowano",
    more: "Jeszcze {} do darmowej dostawy",
    free: "Masz darmową dostawę",
  },
  fi: {
    close: "Sulje viesti",
    reply: "Vastaa",
    copy: "Kopioi koodi",
    copied: "Kopioitu",
    more: "Vielä {} ilmaiseen toimitukseen",
    free: "Tilauksesi toimitetaan ilmaiseksi",
  },
  ru: {
    close: "Закрыть сообщение",
    reply: "Ответить",
    copy: "Скопировать код",
    copied: "Скопировано",
    more: "До бесплатной доставки осталось {}",
    free: "Вам доступна бесплатная доставка",
  },
};

/** The language the teaser speaks for a tag like `pl-PL` (English when it has no dictionary), and its words. */
export function wordsFor(tag: string): [language: string, words: Words] {
  const language = tag.slice(0, 2).toLowerCase();
  return language in dictionaries ? [language, dictionaries[language]!] : ["en", en];
}

/** `amount` in `currency`, written the language's way ("12,00 zł", "€12.00"); null for a currency Intl does not know. */
export function money(language: string, amount: number, currency: string): string | null {
  try {
    return new Intl.NumberFormat(language, { style: "currency", currency }).format(amount);
  } catch {
    return null;
  }
}
