/**
 * The chat UI's words in English, Polish, Finnish and Russian, chosen from the browser's
 * languages. `t(key, vars)` fills `{name}`-style placeholders.
 */
const en = {
  topic: "What is it about?",
  joined: "{name} joined the conversation",
  queued: "You are number {position} in line. Expected wait: about {minutes} min.",
  title: "Chat with us",
  online: "We're online",
  offline: "We'll reply as soon as we can",
  placeholder: "Write a message…",
  send: "Send",
  close: "Close chat",
  typing: "{name} is typing…",
  someone: "Someone",
  sending: "Sending…",
  sent: "Sent",
  seen: "Seen",
  reconnecting: "Connection lost. Reconnecting…",
  resolved: "This conversation was resolved. Write again any time.",
  reopenedByYou: "You wrote again — the conversation is open.",
  reopened: "The conversation is open again.",
  older: "Loading earlier messages…",
  failed: "Could not start the chat. Check your connection; we will keep trying.",
  you: "You",
};
type Dict = typeof en;

const pl: Dict = {
  topic: "Czego dotyczy pytanie?",
  joined: "{name} dołącza do rozmowy",
  queued: "Twoje miejsce w kolejce: {position}. Przewidywany czas oczekiwania: ok. {minutes} min.",
  title: "Napisz do nas",
  online: "Jesteśmy online",
  offline: "Odpowiemy najszybciej, jak to możliwe",
  placeholder: "Napisz wiadomość…",
  send: "Wyślij",
  close: "Zamknij czat",
  typing: "{name} pisze…",
  someone: "Ktoś",
  sending: "Wysyłanie…",
  sent: "Wysłano",
  seen: "Przeczytano",
  reconnecting: "Utracono połączenie. Łączenie ponownie…",
  resolved: "Rozmowa została zakończona. Jeśli masz jeszcze pytania, po prostu napisz.",
  reopenedByYou: "Rozmowa została wznowiona – odpowiemy najszybciej, jak to możliwe.",
  reopened: "Rozmowa jest znowu otwarta.",
  older: "Wczytywanie wcześniejszych wiadomości…",
  failed: "Nie udało się uruchomić czatu. Sprawdź połączenie z internetem – próbujemy dalej.",
  you: "Ty",
};
const fi: Dict = {
  topic: "Mitä asiasi koskee?",
  joined: "{name} liittyi keskusteluun",
  queued: "Olet jonossa sijalla {position}. Arvioitu odotus: noin {minutes} min.",
  title: "Keskustele kanssamme",
  online: "Olemme paikalla",
  offline: "Vastaamme niin pian kuin voimme",
  placeholder: "Kirjoita viesti…",
  send: "Lähetä",
  close: "Sulje keskusteluikkuna",
  typing: "{name} kirjoittaa…",
  someone: "Joku",
  sending: "Lähetetään…",
  sent: "Lähetetty",
  seen: "Nähty",
  reconnecting: "Yhteys katkesi. Yhdistetään uudelleen…",
  resolved: "Tämä keskustelu on merkitty ratkaistuksi. Voit kirjoittaa meille uudelleen milloin tahansa.",
  reopenedByYou: "Kirjoitit uudelleen – keskustelu on taas avoinna.",
  reopened: "Keskustelu on taas avoinna.",
  older: "Ladataan aiempia viestejä…",
  failed: "Keskustelun aloitus epäonnistui. Tarkista yhteys; yritämme uudelleen.",
  you: "Sinä",
};
const ru: Dict = {
  topic: "О чём ваш вопрос?",
  joined: "{name} присоединяется к чату",
  queued: "Ваш номер в очереди: {position}. Примерное время ожидания — {minutes} мин.",
  title: "Напишите нам",
  online: "Мы на связи",
  offline: "Ответим, как только сможем",
  placeholder: "Напишите сообщение…",
  send: "Отправить",
  close: "Закрыть чат",
  typing: "{name} печатает…",
  someone: "Кто-то",
  sending: "Отправка…",
  sent: "Отправлено",
  seen: "Прочитано",
  reconnecting: "Соединение потеряно. Переподключаемся…",
  resolved: "Чат завершён. Если остались вопросы — просто напишите нам.",
  reopenedByYou: "Вы написали снова — чат открыт.",
  reopened: "Чат снова открыт.",
  older: "Загружаем предыдущие сообщения…",
  failed: "Не удалось открыть чат. Проверьте подключение к интернету — мы попробуем снова.",
  you: "Вы",
};

const dicts: Record<string, Dict> = { en, pl, fi, ru };
export const lang = (navigator.languages ?? [navigator.language]).map((l) => l.slice(0, 2).toLowerCase()).find((l) => l in dicts) ?? "en";
const dict = dicts[lang]!;

export type Key = keyof Dict;
export function t(key: Key, vars: Record<string, string> = {}): string {
  return dict[key].replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? "");
}
