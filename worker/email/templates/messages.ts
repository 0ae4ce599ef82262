/**
 * Chat messages as emails show them: only what the recipient may see (text messages of the
 * visitor and operators; never notes, drafts or system events), with author and time in the
 * recipient's language. Imported by the email templates only.
 */
import type { ChatMessage } from "../../../protocol/models";
import { dateTime } from "./i18n";
import type { EmailContent } from "./layout";
import type { EmailStrings } from "./strings";

export type EmailMessage = Pick<ChatMessage, "kind" | "role" | "authorName" | "text" | "createdAt">;

/** Visitor and operator text messages; everything else (notes above all) is dropped here. */
export function visibleMessages(messages: readonly EmailMessage[]): EmailMessage[] {
  return messages.filter((m) => m.kind === "text" && (m.role === "visitor" || m.role === "operator"));
}

export function emailMessages(
  messages: readonly EmailMessage[],
  s: EmailStrings,
  opts: { shopName: string; timeZone: string; visitorLabel: string },
): EmailContent["messages"] {
  return visibleMessages(messages).map((m) => ({
    author: m.role === "visitor" ? opts.visitorLabel : (m.authorName ?? opts.shopName),
    at: dateTime(s.locale, opts.timeZone, m.createdAt),
    text: m.text,
    mine: m.role === "visitor",
  }));
}
