/**
 * The operator alert: a visitor's messages have waited for an answer; a link to the conversation
 * in the admin. Imported by outbound.ts.
 */

import { fill, plural } from "./i18n";
import type { EmailContent } from "./layout";
import { type EmailMessage, emailMessages } from "./messages";
import type { EmailStrings } from "./strings";

export function operatorAlert(
  s: EmailStrings,
  input: {
    shopName: string;
    timeZone: string;
    visitorName: string | null;
    waitingSince: number;
    now: number;
    messages: readonly EmailMessage[];
    conversationUrl: string;
    unsubscribeUrl: string;
  },
): { subject: string; content: EmailContent } {
  const minutes = Math.max(1, Math.floor((input.now - input.waitingSince) / 60_000));
  const duration = minutes < 60 ? plural(s.alert.minutes, minutes, s.locale) : plural(s.alert.hours, Math.floor(minutes / 60), s.locale);
  const values = { shop: input.shopName, visitor: input.visitorName ?? "", duration };
  const named = input.visitorName !== null;
  return {
    subject: fill(named ? s.alert.subjectNamed : s.alert.subjectAnonymous, values),
    content: {
      lang: s.locale,
      intro: fill(named ? s.alert.introNamed : s.alert.introAnonymous, values),
      messages: emailMessages(input.messages, s, {
        shopName: input.shopName,
        timeZone: input.timeZone,
        visitorLabel: input.visitorName ?? s.visitor,
      }),
      button: { label: s.alert.answer, url: input.conversationUrl },
      why: fill(s.alert.why, values),
      unsubscribe: { label: s.alert.unsubscribe, url: input.unsubscribeUrl },
    },
  };
}
