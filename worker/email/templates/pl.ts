/** Polish email strings: informal "Ty" as in the widget; no gendered forms for unknown people. */
import type { EmailStrings } from "./strings";

export const pl: EmailStrings = {
  locale: "pl",
  openChat: "Otwórz czat",
  replyHint: "Odpowiedz na tę wiadomość albo wróć do czatu.",
  unsubscribe: "Wypisz się",
  you: "Ty",
  visitor: "Odwiedzający",
  visitorWhy: "Otrzymujesz tę wiadomość, ponieważ Twój adres e-mail został podany w czacie sklepu {shop}.",
  followUp: {
    subjectSingle: "Nowa odpowiedź ze sklepu {shop}",
    subject: {
      one: "{count} nowa odpowiedź ze sklepu {shop}",
      few: "{count} nowe odpowiedzi ze sklepu {shop}",
      many: "{count} nowych odpowiedzi ze sklepu {shop}",
      other: "{count} nowej odpowiedzi ze sklepu {shop}",
    },
    intro: "Sklep {shop} odpowiedział na Twoją wiadomość:",
  },
  transcript: {
    subject: "Twoja rozmowa ze sklepem {shop}",
    intro: "Oto zapis Twojej rozmowy z {date}.",
    count: { one: "{count} wiadomość", few: "{count} wiadomości", many: "{count} wiadomości", other: "{count} wiadomości" },
  },
  alert: {
    subjectNamed: "{visitor} czeka na odpowiedź · {shop}",
    subjectAnonymous: "Ktoś czeka na odpowiedź · {shop}",
    introNamed: "{visitor} czeka na odpowiedź od {duration} w sklepie {shop}.",
    introAnonymous: "Odwiedzający czeka na odpowiedź od {duration} w sklepie {shop}.",
    minutes: { one: "{count} minuty", few: "{count} minut", many: "{count} minut", other: "{count} minuty" },
    hours: { one: "{count} godziny", few: "{count} godzin", many: "{count} godzin", other: "{count} godziny" },
    answer: "Odpowiedz",
    why: "Otrzymujesz te powiadomienia, ponieważ obsługujesz czat sklepu {shop}.",
    unsubscribe: "Wyłącz te powiadomienia",
  },
};
