/** English email strings (the reference the other languages are checked against). */
import type { EmailStrings } from "./strings";

export const en: EmailStrings = {
  locale: "en",
  openChat: "Open the chat",
  replyHint: "Reply to this email or continue in the chat.",
  unsubscribe: "Unsubscribe",
  you: "You",
  visitor: "Visitor",
  visitorWhy: "You get this email because your email address was left in the chat on {shop}.",
  followUp: {
    subjectSingle: "New reply from {shop}",
    subject: { one: "{count} new reply from {shop}", other: "{count} new replies from {shop}" },
    intro: "{shop} replied to your message:",
  },
  transcript: {
    subject: "Your chat with {shop}",
    intro: "Here is your chat of {date}.",
    count: { one: "{count} message", other: "{count} messages" },
  },
  alert: {
    subjectNamed: "{visitor} is waiting for an answer · {shop}",
    subjectAnonymous: "A visitor is waiting for an answer · {shop}",
    introNamed: "{visitor} has been waiting for an answer for {duration} on {shop}.",
    introAnonymous: "A visitor has been waiting for an answer for {duration} on {shop}.",
    minutes: { one: "{count} minute", other: "{count} minutes" },
    hours: { one: "{count} hour", other: "{count} hours" },
    answer: "Answer",
    why: "You get these alerts because you answer the chat of {shop}.",
    unsubscribe: "Turn off these alerts",
  },
};
