/** Russian email strings: «вы», "чат" (not "разговор"), present tense to avoid gendered verbs. */
import type { EmailStrings } from "./strings";

export const ru: EmailStrings = {
  locale: "ru",
  openChat: "Открыть чат",
  replyHint: "Ответьте на это письмо или продолжите в чате.",
  unsubscribe: "Отписаться",
  you: "Вы",
  visitor: "Посетитель",
  visitorWhy: "Вы получили это письмо, потому что ваш адрес был указан в чате магазина {shop}.",
  followUp: {
    subjectSingle: "Новый ответ от магазина {shop}",
    subject: {
      one: "{count} новый ответ от магазина {shop}",
      few: "{count} новых ответа от магазина {shop}",
      many: "{count} новых ответов от магазина {shop}",
      other: "{count} нового ответа от магазина {shop}",
    },
    intro: "Магазин {shop} ответил на ваше сообщение:",
  },
  transcript: {
    subject: "Ваш чат с магазином {shop}",
    // No full stop: the date ends with "г." already.
    intro: "Вот ваш чат от {date}",
    count: { one: "{count} сообщение", few: "{count} сообщения", many: "{count} сообщений", other: "{count} сообщения" },
  },
  alert: {
    subjectNamed: "{visitor} ждёт ответа · {shop}",
    subjectAnonymous: "Посетитель ждёт ответа · {shop}",
    introNamed: "{visitor} ждёт ответа уже {duration} (магазин {shop}).",
    introAnonymous: "Посетитель ждёт ответа уже {duration} (магазин {shop}).",
    minutes: { one: "{count} минуту", few: "{count} минуты", many: "{count} минут", other: "{count} минуты" },
    hours: { one: "{count} час", few: "{count} часа", many: "{count} часов", other: "{count} часа" },
    answer: "Ответить",
    why: "Вы получаете эти уведомления, потому что отвечаете в чате магазина {shop}.",
    unsubscribe: "Отключить эти уведомления",
  },
};
