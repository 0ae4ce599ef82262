/** The transcript: a whole conversation for the visitor. Imported by outbound.ts. */

import { fill, longDate, plural } from "./i18n";
import type { EmailContent } from "./layout";
import { type EmailMessage, emailMessages } from "./messages";
import type { EmailStrings } from "./strings";

export function transcript(
  s: EmailStrings,
  input: {
    shopName: string;
    timeZone: string;
    messages: readonly EmailMessage[];
    startedAt: number;
    chatUrl: string;
    unsubscribeUrl: string;
  },
): { subject: string; content: EmailContent } {
  const shop = { shop: input.shopName };
  const messages = emailMessages(input.messages, s, { shopName: input.shopName, timeZone: input.timeZone, visitorLabel: s.you });
  return {
    subject: fill(s.transcript.subject, shop),
    content: {
      lang: s.locale,
      intro: fill(s.transcript.intro, { date: longDate(s.locale, input.timeZone, input.startedAt) }),
      messages,
      summary: plural(s.transcript.count, messages.length, s.locale),
      button: { label: s.openChat, url: input.chatUrl },
      hint: s.replyHint,
      why: fill(s.visitorWhy, shop),
      unsubscribe: { label: s.unsubscribe, url: input.unsubscribeUrl },
    },
  };
}
