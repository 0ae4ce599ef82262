/**
 * The follow-up: operators' replies a visitor who left has not seen, in one email. Imported by
 * outbound.ts.
 */

import { fill, plural } from "./i18n";
import type { EmailContent } from "./layout";
import { type EmailMessage, emailMessages, visibleMessages } from "./messages";
import type { EmailStrings } from "./strings";

export function followUp(
  s: EmailStrings,
  input: { shopName: string; timeZone: string; replies: readonly EmailMessage[]; chatUrl: string; unsubscribeUrl: string },
): { subject: string; content: EmailContent } {
  const shop = { shop: input.shopName };
  const replies = visibleMessages(input.replies).filter((m) => m.role === "operator");
  const count = replies.length;
  return {
    subject: count === 1 ? fill(s.followUp.subjectSingle, shop) : fill(plural(s.followUp.subject, count, s.locale), shop),
    content: {
      lang: s.locale,
      intro: fill(s.followUp.intro, shop),
      messages: emailMessages(replies, s, { shopName: input.shopName, timeZone: input.timeZone, visitorLabel: s.you }),
      button: { label: s.openChat, url: input.chatUrl },
      hint: s.replyHint,
      why: fill(s.visitorWhy, shop),
      unsubscribe: { label: s.unsubscribe, url: input.unsubscribeUrl },
    },
  };
}
