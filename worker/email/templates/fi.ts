/** Finnish email strings: "keskustelu" for the chat and "kävijä" for the visitor, as in the admin. */
import type { EmailStrings } from "./strings";

export const fi: EmailStrings = {
  locale: "fi",
  openChat: "Avaa keskustelu",
  replyHint: "Vastaa tähän viestiin tai jatka keskustelua chatissa.",
  unsubscribe: "Peru tilaus",
  you: "Sinä",
  visitor: "Kävijä",
  visitorWhy: "Saat tämän viestin, koska sähköpostiosoitteesi annettiin kaupan {shop} chatissa.",
  followUp: {
    subjectSingle: "Uusi vastaus kaupasta {shop}",
    subject: { one: "{count} uusi vastaus kaupasta {shop}", other: "{count} uutta vastausta kaupasta {shop}" },
    intro: "{shop} vastasi viestiisi:",
  },
  transcript: {
    subject: "Keskustelusi kaupan {shop} kanssa",
    intro: "Tässä on {date} käyty keskustelusi.",
    count: { one: "{count} viesti", other: "{count} viestiä" },
  },
  alert: {
    subjectNamed: "{visitor} odottaa vastausta · {shop}",
    subjectAnonymous: "Kävijä odottaa vastausta · {shop}",
    introNamed: "{visitor} on odottanut vastausta {duration} kaupassa {shop}.",
    introAnonymous: "Kävijä on odottanut vastausta {duration} kaupassa {shop}.",
    minutes: { one: "{count} minuutin", other: "{count} minuuttia" },
    hours: { one: "{count} tunnin", other: "{count} tuntia" },
    answer: "Vastaa",
    why: "Saat nämä ilmoitukset, koska vastaat kaupan {shop} chatiin.",
    unsubscribe: "Poista nämä ilmoitukset käytöstä",
  },
};
