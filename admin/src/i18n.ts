/**
 * The admin's words in English, Polish, Finnish and Russian. The language is the operator's
 * saved choice, else the browser's. `t(key, vars)` fills `{name}` placeholders; keys ending in
 * a plural form pick it with Intl.PluralRules (Polish and Russian have "few" and "many").
 */
import { useEffect, useState } from "preact/hooks";

const en = {
  team: "Team",
  operator: "Operator",
  role: "Role",
  presenceLabel: "Presence",
  capacity: "Chats / max",
  skills: "Skills",
  owner: "Owner",
  admin: "Admin",
  agent: "Agent",
  offline: "Offline",
  onlineShort: "Online",
  addOperator: "Add an operator",
  name: "Name",
  firstPassword: "First password (8+ characters)",
  skillsHint: "Skills, e.g. returns, payments, pl",
  savedReplies: "Saved replies",
  personal: "personal",
  shortcut: "Shortcut",
  replyText: "Text (use {visitor.name}, {operator.firstName})",
  add: "Add",
  delete: "Delete",
  savedRepliesHint: "Type / in the reply box to insert one.",
  searchPlaceholder: "Search messages and notes…",
  noResults: "Nothing found.",
  joined: "{name} joined the conversation",
  transferred: "Transferred from {from} to {name}",
  reassigned: "Re-assigned from {from} to {name}: no answer within {seconds} s",
  transfer: "Transfer",
  transferTo: "Transfer to…",
  toSkill: "Anyone with skill “{skill}”",
  transferNote: "Note for your colleague (optional)",
  take: "Take",
  assignedTo: "Assigned to",
  unassigned: "Unassigned",
  queued: "Waiting in queue",
  away: "Away",
  setAway: "Set away",
  setOnline: "Set online",
  cancel: "Cancel",
  answered: "Answered by your team",
  reply: "Reply",
  note: "Internal note",
  notePlaceholder: "Write a note only your team sees…",
  addNote: "Add note",
  internalNote: "Internal note",
  draftPreview: "What the visitor is typing (not sent yet)",
  appName: "Gadka",
  signInTitle: "Sign in to your inbox",
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  signingIn: "Signing in…",
  badCredentials: "That email and password do not match.",
  throttled: "Too many attempts. Try again in {minutes} min.",
  network: "Cannot reach the server. Check your connection.",
  genericError: "Something went wrong. Please try again.",
  signOut: "Sign out",
  language: "Language",
  inbox: "Inbox",
  open: "Open",
  resolved: "Resolved",
  all: "All",
  noConversations: "No conversations here yet",
  noConversationsHint: "New chats from your shop appear here the moment a visitor writes.",
  pickConversation: "Pick a conversation",
  pickConversationHint: "Select a chat on the left to read and answer it.",
  visitor: "Visitor {id}",
  you: "You",
  typing: "{name} is typing…",
  visitorTyping: "Visitor is typing…",
  replyPlaceholder: "Write a reply… (Enter to send, Shift+Enter for a new line)",
  send: "Send",
  resolve: "Resolve",
  reopen: "Reopen",
  resolvedBy: "Resolved by {name}",
  reopenedBy: "Reopened by {name}",
  reconnecting: "Connection lost. Reconnecting…",
  loadOlder: "Load earlier messages",
  sending: "Sending…",
  seen: "Seen",
  details: "Details",
  visitorId: "Visitor ID",
  started: "Started",
  status: "Status",
  messages: "Messages",
  online: "Online now",
  nobodyOnline: "Only you",
  loadMore: "Load more",
  unread_one: "{count} unread",
  unread_few: "{count} unread",
  unread_many: "{count} unread",
  unread_other: "{count} unread",
  today: "Today",
  yesterday: "Yesterday",
  noMessages: "No messages yet.",
};
type Dict = typeof en;

const pl: Dict = {
  team: "Zespół",
  operator: "Konsultant",
  role: "Rola",
  presenceLabel: "Obecność",
  capacity: "Czaty / maks.",
  skills: "Umiejętności",
  owner: "Właściciel",
  admin: "Administrator",
  agent: "Konsultant",
  offline: "Offline",
  onlineShort: "Dostępny",
  addOperator: "Dodaj konsultanta",
  name: "Imię i nazwisko",
  firstPassword: "Pierwsze hasło (min. 8 znaków)",
  skillsHint: "Umiejętności, np. zwroty, płatności, pl",
  savedReplies: "Gotowe odpowiedzi",
  personal: "prywatna",
  shortcut: "Skrót",
  replyText: "Treść (użyj {visitor.name}, {operator.firstName})",
  add: "Dodaj",
  delete: "Usuń",
  savedRepliesHint: "Wpisz / w polu odpowiedzi, aby wstawić.",
  searchPlaceholder: "Szukaj w wiadomościach i notatkach…",
  noResults: "Nic nie znaleziono.",
  joined: "{name} dołącza do rozmowy",
  transferred: "Przekazano od {from} do {name}",
  reassigned: "Przepisano od {from} do {name}: brak odpowiedzi w ciągu {seconds} s",
  transfer: "Przekaż",
  transferTo: "Przekaż do…",
  toSkill: "Każdy z umiejętnością „{skill}”",
  transferNote: "Notatka dla współpracownika (opcjonalnie)",
  take: "Przejmij",
  assignedTo: "Przypisana do",
  unassigned: "Nieprzypisana",
  queued: "Czeka w kolejce",
  away: "Zaraz wracam",
  setAway: "Ustaw: zaraz wracam",
  setOnline: "Ustaw: dostępny",
  cancel: "Anuluj",
  answered: "Odpowiedział zespół",
  reply: "Odpowiedź",
  note: "Notatka wewnętrzna",
  notePlaceholder: "Notatka widoczna tylko dla zespołu…",
  addNote: "Dodaj notatkę",
  internalNote: "Notatka wewnętrzna",
  draftPreview: "Co pisze gość (jeszcze niewysłane)",
  appName: "Gadka",
  signInTitle: "Zaloguj się do skrzynki",
  email: "E-mail",
  password: "Hasło",
  signIn: "Zaloguj się",
  signingIn: "Logowanie…",
  badCredentials: "Nieprawidłowy e-mail lub hasło.",
  throttled: "Zbyt wiele prób. Spróbuj ponownie za {minutes} min.",
  network: "Brak połączenia z serwerem. Sprawdź sieć.",
  genericError: "Coś poszło nie tak. Spróbuj ponownie.",
  signOut: "Wyloguj",
  language: "Język",
  inbox: "Skrzynka",
  open: "Otwarte",
  resolved: "Zamknięte",
  all: "Wszystkie",
  noConversations: "Nie ma tu jeszcze rozmów",
  noConversationsHint: "Nowe czaty ze sklepu pojawią się tutaj, gdy tylko klient napisze.",
  pickConversation: "Wybierz rozmowę",
  pickConversationHint: "Wybierz czat po lewej, aby go przeczytać i odpowiedzieć.",
  visitor: "Gość {id}",
  you: "Ty",
  typing: "{name} pisze…",
  visitorTyping: "Gość pisze…",
  replyPlaceholder: "Napisz odpowiedź… (Enter wysyła, Shift+Enter – nowa linia)",
  send: "Wyślij",
  resolve: "Zamknij",
  reopen: "Otwórz ponownie",
  resolvedBy: "Zamknięte przez: {name}",
  reopenedBy: "Ponownie otwarte przez: {name}",
  reconnecting: "Utracono połączenie. Łączenie ponownie…",
  loadOlder: "Wczytaj wcześniejsze wiadomości",
  sending: "Wysyłanie…",
  seen: "Przeczytane",
  details: "Szczegóły",
  visitorId: "ID gościa",
  started: "Rozpoczęta",
  status: "Status",
  messages: "Wiadomości",
  online: "Teraz online",
  nobodyOnline: "Tylko Ty",
  loadMore: "Wczytaj więcej",
  unread_one: "{count} nieprzeczytana",
  unread_few: "{count} nieprzeczytane",
  unread_many: "{count} nieprzeczytanych",
  unread_other: "{count} nieprzeczytanej",
  today: "Dzisiaj",
  yesterday: "Wczoraj",
  noMessages: "Brak wiadomości.",
};
const fi: Dict = {
  team: "Tiimi",
  operator: "Asiakaspalvelija",
  role: "Rooli",
  presenceLabel: "Tila",
  capacity: "Keskustelut / enint.",
  skills: "Taidot",
  owner: "Omistaja",
  admin: "Ylläpitäjä",
  agent: "Asiakaspalvelija",
  offline: "Poissa linjoilta",
  onlineShort: "Paikalla",
  addOperator: "Lisää asiakaspalvelija",
  name: "Nimi",
  firstPassword: "Ensimmäinen salasana (väh. 8 merkkiä)",
  skillsHint: "Taidot, esim. palautukset, maksut, fi",
  savedReplies: "Tallennetut vastaukset",
  personal: "oma",
  shortcut: "Pikakomento",
  replyText: "Teksti (käytä {visitor.name}, {operator.firstName})",
  add: "Lisää",
  delete: "Poista",
  savedRepliesHint: "Kirjoita / vastauskenttään lisätäksesi.",
  searchPlaceholder: "Hae viesteistä ja muistiinpanoista…",
  noResults: "Ei tuloksia.",
  joined: "{name} liittyi keskusteluun",
  transferred: "Siirretty: {from} → {name}",
  reassigned: "Siirretty uudelleen: {from} → {name}, ei vastausta {seconds} s kuluessa",
  transfer: "Siirrä",
  transferTo: "Siirrä…",
  toSkill: "Kuka tahansa, jolla on taito ”{skill}”",
  transferNote: "Viesti kollegalle (valinnainen)",
  take: "Ota itselle",
  assignedTo: "Vastuuhenkilö",
  unassigned: "Ei vastuuhenkilöä",
  queued: "Jonossa",
  away: "Poissa",
  setAway: "Aseta poissa",
  setOnline: "Aseta paikalla",
  cancel: "Peruuta",
  answered: "Tiimisi vastasi",
  reply: "Vastaus",
  note: "Sisäinen muistiinpano",
  notePlaceholder: "Muistiinpano, jonka vain tiimisi näkee…",
  addNote: "Lisää muistiinpano",
  internalNote: "Sisäinen muistiinpano",
  draftPreview: "Mitä vierailija kirjoittaa (ei vielä lähetetty)",
  appName: "Gadka",
  signInTitle: "Kirjaudu saapuneisiin",
  email: "Sähköposti",
  password: "Salasana",
  signIn: "Kirjaudu",
  signingIn: "Kirjaudutaan…",
  badCredentials: "Sähköposti ja salasana eivät täsmää.",
  throttled: "Liian monta yritystä. Yritä uudelleen {minutes} min kuluttua.",
  network: "Palvelimeen ei saada yhteyttä. Tarkista verkkoyhteys.",
  genericError: "Jokin meni vikaan. Yritä uudelleen.",
  signOut: "Kirjaudu ulos",
  language: "Kieli",
  inbox: "Saapuneet",
  open: "Avoimet",
  resolved: "Ratkaistut",
  all: "Kaikki",
  noConversations: "Ei vielä keskusteluja",
  noConversationsHint: "Uudet keskustelut kaupastasi näkyvät täällä heti, kun asiakas kirjoittaa.",
  pickConversation: "Valitse keskustelu",
  pickConversationHint: "Valitse keskustelu vasemmalta lukeaksesi ja vastataksesi.",
  visitor: "Vierailija {id}",
  you: "Sinä",
  typing: "{name} kirjoittaa…",
  visitorTyping: "Vierailija kirjoittaa…",
  replyPlaceholder: "Kirjoita vastaus… (Enter lähettää, Shift+Enter uusi rivi)",
  send: "Lähetä",
  resolve: "Ratkaise",
  reopen: "Avaa uudelleen",
  resolvedBy: "Ratkaissut: {name}",
  reopenedBy: "Avannut uudelleen: {name}",
  reconnecting: "Yhteys katkesi. Yhdistetään uudelleen…",
  loadOlder: "Lataa aiemmat viestit",
  sending: "Lähetetään…",
  seen: "Nähty",
  details: "Tiedot",
  visitorId: "Vierailijan tunnus",
  started: "Aloitettu",
  status: "Tila",
  messages: "Viestit",
  online: "Paikalla nyt",
  nobodyOnline: "Vain sinä",
  loadMore: "Lataa lisää",
  unread_one: "{count} lukematon",
  unread_few: "{count} lukematonta",
  unread_many: "{count} lukematonta",
  unread_other: "{count} lukematonta",
  today: "Tänään",
  yesterday: "Eilen",
  noMessages: "Ei vielä viestejä.",
};
const ru: Dict = {
  team: "Команда",
  operator: "Оператор",
  role: "Роль",
  presenceLabel: "Статус",
  capacity: "Чаты / макс.",
  skills: "Навыки",
  owner: "Владелец",
  admin: "Администратор",
  agent: "Оператор",
  offline: "Не в сети",
  onlineShort: "В сети",
  addOperator: "Добавить оператора",
  name: "Имя",
  firstPassword: "Первый пароль (не менее 8 символов)",
  skillsHint: "Навыки, например возвраты, оплата, ru",
  savedReplies: "Шаблоны ответов",
  personal: "личный",
  shortcut: "Сокращение",
  replyText: "Текст (можно {visitor.name}, {operator.firstName})",
  add: "Добавить",
  delete: "Удалить",
  savedRepliesHint: "Введите / в поле ответа, чтобы вставить.",
  searchPlaceholder: "Поиск по сообщениям и заметкам…",
  noResults: "Ничего не найдено.",
  joined: "{name} присоединяется к разговору",
  transferred: "Передано от {from} к {name}",
  reassigned: "Переназначено от {from} к {name}: нет ответа за {seconds} с",
  transfer: "Передать",
  transferTo: "Передать…",
  toSkill: "Любому с навыком «{skill}»",
  transferNote: "Заметка для коллеги (необязательно)",
  take: "Взять себе",
  assignedTo: "Назначен",
  unassigned: "Не назначен",
  queued: "В очереди",
  away: "Отошёл",
  setAway: "Отойти",
  setOnline: "Вернуться",
  cancel: "Отмена",
  answered: "Ответила ваша команда",
  reply: "Ответ",
  note: "Внутренняя заметка",
  notePlaceholder: "Заметка, которую видит только команда…",
  addNote: "Добавить заметку",
  internalNote: "Внутренняя заметка",
  draftPreview: "Что печатает посетитель (ещё не отправлено)",
  appName: "Gadka",
  signInTitle: "Вход в почту чатов",
  email: "Эл. почта",
  password: "Пароль",
  signIn: "Войти",
  signingIn: "Входим…",
  badCredentials: "Неверная почта или пароль.",
  throttled: "Слишком много попыток. Повторите через {minutes} мин.",
  network: "Нет связи с сервером. Проверьте подключение.",
  genericError: "Что-то пошло не так. Попробуйте ещё раз.",
  signOut: "Выйти",
  language: "Язык",
  inbox: "Входящие",
  open: "Открытые",
  resolved: "Решённые",
  all: "Все",
  noConversations: "Разговоров пока нет",
  noConversationsHint: "Новые чаты из магазина появятся здесь, как только покупатель напишет.",
  pickConversation: "Выберите разговор",
  pickConversationHint: "Выберите чат слева, чтобы прочитать и ответить.",
  visitor: "Посетитель {id}",
  you: "Вы",
  typing: "{name} печатает…",
  visitorTyping: "Посетитель печатает…",
  replyPlaceholder: "Напишите ответ… (Enter — отправить, Shift+Enter — новая строка)",
  send: "Отправить",
  resolve: "Решено",
  reopen: "Открыть снова",
  resolvedBy: "Решено: {name}",
  reopenedBy: "Открыто снова: {name}",
  reconnecting: "Соединение потеряно. Переподключаемся…",
  loadOlder: "Загрузить предыдущие сообщения",
  sending: "Отправка…",
  seen: "Прочитано",
  details: "Подробности",
  visitorId: "ID посетителя",
  started: "Начат",
  status: "Статус",
  messages: "Сообщения",
  online: "Сейчас в сети",
  nobodyOnline: "Только вы",
  loadMore: "Загрузить ещё",
  unread_one: "{count} непрочитанное",
  unread_few: "{count} непрочитанных",
  unread_many: "{count} непрочитанных",
  unread_other: "{count} непрочитанного",
  today: "Сегодня",
  yesterday: "Вчера",
  noMessages: "Сообщений пока нет.",
};

export const LANGUAGES = { en: "English", pl: "Polski", fi: "Suomi", ru: "Русский" } as const;
export type Lang = keyof typeof LANGUAGES;
const dicts: Record<Lang, Dict> = { en, pl, fi, ru };
const LANG_KEY = "gadka:admin:lang";

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved && saved in dicts) return saved as Lang;
  const fromBrowser = navigator.languages.map((l) => l.slice(0, 2)).find((l) => l in dicts);
  return (fromBrowser as Lang | undefined) ?? "en";
}

let current: Lang = initialLang();
const subscribers = new Set<() => void>();

export function currentLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  for (const fn of subscribers) fn();
}

/** Re-renders the calling component when the language changes. */
export function useLang(): Lang {
  const [, bump] = useState(0);
  useEffect(() => {
    const fn = () => bump((n) => n + 1);
    subscribers.add(fn);
    return () => void subscribers.delete(fn);
  }, []);
  return current;
}

type PluralBase<K> = K extends `${infer B}_one` ? B : never;
export type Key = Exclude<keyof Dict, `${string}_${"one" | "few" | "many" | "other"}`>;

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return fill(dicts[current][key], vars);
}

export function tn(key: PluralBase<keyof Dict>, count: number): string {
  const form = new Intl.PluralRules(current).select(count) as "one" | "few" | "many" | "other";
  const dict = dicts[current] as Record<string, string>;
  return fill(dict[`${key}_${form}`] ?? dict[`${key}_other`]!, { count });
}

function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ""));
}

export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(current, { hour: "2-digit", minute: "2-digit" }).format(ms);
}

/** "now", "5 min ago", "yesterday"… for list rows. */
export function formatRelative(ms: number, now = Date.now()): string {
  const rtf = new Intl.RelativeTimeFormat(current, { numeric: "auto", style: "short" });
  const s = Math.round((ms - now) / 1000);
  if (Math.abs(s) < 60) return rtf.format(0, "second");
  if (Math.abs(s) < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (Math.abs(s) < 86400) return rtf.format(Math.round(s / 3600), "hour");
  return new Intl.DateTimeFormat(current, { day: "numeric", month: "short" }).format(ms);
}

export function formatDay(ms: number, now = Date.now()): string {
  const day = (x: number) => new Date(x).toDateString();
  if (day(ms) === day(now)) return t("today");
  if (day(ms) === day(now - 86_400_000)) return t("yesterday");
  return new Intl.DateTimeFormat(current, { weekday: "long", day: "numeric", month: "long" }).format(ms);
}

document.documentElement.lang = current;
