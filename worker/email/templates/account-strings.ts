/**
 * The words of account emails (sign-up, invitation, password reset, notices) in en, pl, fi, ru.
 * Placeholders: {name}, {shop}, {inviter}, {role}, {hours}, {days}. Gender-neutral in pl and ru
 * (the recipient is often unknown). Imported by account.ts only.
 */
import type { EmailLanguage } from "../../../protocol/email";
import type { Plural } from "./strings";

export interface AccountStrings {
  locale: string;
  brandWhy: string;
  signupConfirm: { subject: string; intro: string; button: string; hint: Plural };
  signupExisting: { subject: string; intro: string; button: string; hint: string };
  emailChange: { subject: string; intro: string; button: string; hint: Plural };
  invitation: { subject: string; intro: string; introAnonymous: string; button: string; hint: Plural };
  roles: { owner: string; admin: string; agent: string };
  reset: { subject: string; intro: string; button: string; hint: string };
  passwordChanged: { subject: string; intro: string; button: string; hint: string };
}

const en: AccountStrings = {
  locale: "en",
  brandWhy: "You get this email because this address was entered on Gadka. If that was not you, ignore it: nothing happens.",
  signupConfirm: {
    subject: "Confirm your email for Gadka",
    intro: "Hello {name}, confirm this address to finish creating your Gadka account.",
    button: "Confirm my email",
    hint: { one: "The link works once, for {count} day.", other: "The link works once, for {count} days." },
  },
  signupExisting: {
    subject: "You already have a Gadka account",
    intro:
      "Someone tried to sign up with this address, but it already has a Gadka account. Sign in instead, or reset your password if you forgot it.",
    button: "Sign in",
    hint: "If it was not you, you can ignore this email: your account did not change.",
  },
  emailChange: {
    subject: "Confirm your new email for Gadka",
    intro: "Hello {name}, confirm this address to make it your Gadka account's email.",
    button: "Confirm the new email",
    hint: { one: "The link works once, for {count} day.", other: "The link works once, for {count} days." },
  },
  invitation: {
    subject: "Join {shop} on Gadka",
    intro: "{inviter} invites you to answer the chat of {shop} as {role}.",
    introAnonymous: "You are invited to answer the chat of {shop} as {role}.",
    button: "Accept the invitation",
    hint: { one: "The link works once, for {count} day.", other: "The link works once, for {count} days." },
  },
  roles: { owner: "an owner", admin: "an admin", agent: "an agent" },
  reset: {
    subject: "Reset your Gadka password",
    intro: "Someone asked to reset the password of the Gadka account with this address. Choose a new password with the button below.",
    button: "Choose a new password",
    hint: "The link works once, for one hour. Every signed-in device is signed out when the password changes.",
  },
  passwordChanged: {
    subject: "Your Gadka password was changed",
    intro: "The password of your Gadka account was changed, and every other signed-in device was signed out.",
    button: "Sign in",
    hint: "If you did not do this, reset your password now and tell the shop's owner.",
  },
};

const pl: AccountStrings = {
  locale: "pl",
  brandWhy: "Otrzymujesz tę wiadomość, ponieważ ten adres został podany w Gadce. Jeśli to nie Ty, zignoruj ją: nic się nie stanie.",
  signupConfirm: {
    subject: "Potwierdź adres e-mail w Gadce",
    intro: "Cześć, {name}! Potwierdź ten adres, aby dokończyć zakładanie konta w Gadce.",
    button: "Potwierdź adres",
    hint: {
      one: "Link działa raz, przez {count} dzień.",
      few: "Link działa raz, przez {count} dni.",
      many: "Link działa raz, przez {count} dni.",
      other: "Link działa raz, przez {count} dnia.",
    },
  },
  signupExisting: {
    subject: "Masz już konto w Gadce",
    intro:
      "Ktoś próbował założyć konto z tym adresem, ale ma on już konto w Gadce. Zaloguj się albo zresetuj hasło, jeśli go nie pamiętasz.",
    button: "Zaloguj się",
    hint: "Jeśli to nie Ty, zignoruj tę wiadomość: Twoje konto się nie zmieniło.",
  },
  emailChange: {
    subject: "Potwierdź nowy adres e-mail w Gadce",
    intro: "Cześć, {name}! Potwierdź ten adres, aby stał się adresem Twojego konta w Gadce.",
    button: "Potwierdź nowy adres",
    hint: {
      one: "Link działa raz, przez {count} dzień.",
      few: "Link działa raz, przez {count} dni.",
      many: "Link działa raz, przez {count} dni.",
      other: "Link działa raz, przez {count} dnia.",
    },
  },
  invitation: {
    subject: "Dołącz do zespołu {shop} w Gadce",
    intro: "{inviter} zaprasza Cię do odpowiadania na czacie sklepu {shop} w roli: {role}.",
    introAnonymous: "Zaproszenie do odpowiadania na czacie sklepu {shop} w roli: {role}.",
    button: "Przyjmij zaproszenie",
    hint: {
      one: "Link działa raz, przez {count} dzień.",
      few: "Link działa raz, przez {count} dni.",
      many: "Link działa raz, przez {count} dni.",
      other: "Link działa raz, przez {count} dnia.",
    },
  },
  roles: { owner: "właściciel", admin: "administrator", agent: "konsultant" },
  reset: {
    subject: "Resetowanie hasła w Gadce",
    intro: "Ktoś poprosił o zresetowanie hasła do konta w Gadce z tym adresem. Ustaw nowe hasło przyciskiem poniżej.",
    button: "Ustaw nowe hasło",
    hint: "Link działa raz, przez godzinę. Po zmianie hasła wszystkie zalogowane urządzenia zostaną wylogowane.",
  },
  passwordChanged: {
    subject: "Hasło w Gadce zostało zmienione",
    intro: "Hasło do Twojego konta w Gadce zostało zmienione, a pozostałe zalogowane urządzenia wylogowane.",
    button: "Zaloguj się",
    hint: "Jeśli to nie Ty, od razu zresetuj hasło i powiadom właściciela sklepu.",
  },
};

const fi: AccountStrings = {
  locale: "fi",
  brandWhy: "Saat tämän viestin, koska tämä osoite annettiin Gadkassa. Jos se et ollut sinä, voit ohittaa viestin: mitään ei tapahdu.",
  signupConfirm: {
    subject: "Vahvista sähköpostiosoitteesi Gadkaan",
    intro: "Hei {name}, vahvista tämä osoite, niin Gadka-tilisi luodaan.",
    button: "Vahvista osoite",
    hint: { one: "Linkki toimii kerran, {count} päivän ajan.", other: "Linkki toimii kerran, {count} päivän ajan." },
  },
  signupExisting: {
    subject: "Sinulla on jo Gadka-tili",
    intro:
      "Joku yritti rekisteröityä tällä osoitteella, mutta sillä on jo Gadka-tili. Kirjaudu sisään tai vaihda salasana, jos olet unohtanut sen.",
    button: "Kirjaudu sisään",
    hint: "Jos se et ollut sinä, voit ohittaa tämän viestin: tilisi ei muuttunut.",
  },
  emailChange: {
    subject: "Vahvista uusi sähköpostiosoitteesi Gadkaan",
    intro: "Hei {name}, vahvista tämä osoite, niin siitä tulee Gadka-tilisi sähköpostiosoite.",
    button: "Vahvista uusi osoite",
    hint: { one: "Linkki toimii kerran, {count} päivän ajan.", other: "Linkki toimii kerran, {count} päivän ajan." },
  },
  invitation: {
    subject: "Liity kaupan {shop} tiimiin Gadkassa",
    intro: "{inviter} kutsuu sinut vastaamaan kaupan {shop} chatiin (rooli: {role}).",
    introAnonymous: "Sinut on kutsuttu vastaamaan kaupan {shop} chatiin (rooli: {role}).",
    button: "Hyväksy kutsu",
    hint: { one: "Linkki toimii kerran, {count} päivän ajan.", other: "Linkki toimii kerran, {count} päivän ajan." },
  },
  roles: { owner: "omistaja", admin: "ylläpitäjä", agent: "asiakaspalvelija" },
  reset: {
    subject: "Vaihda Gadka-salasanasi",
    intro: "Tämän osoitteen Gadka-tilille pyydettiin uutta salasanaa. Valitse uusi salasana alla olevasta painikkeesta.",
    button: "Valitse uusi salasana",
    hint: "Linkki toimii kerran, tunnin ajan. Kun salasana vaihtuu, kaikki kirjautuneet laitteet kirjataan ulos.",
  },
  passwordChanged: {
    subject: "Gadka-salasanasi vaihdettiin",
    intro: "Gadka-tilisi salasana vaihdettiin, ja muut kirjautuneet laitteet kirjattiin ulos.",
    button: "Kirjaudu sisään",
    hint: "Jos et tehnyt tätä itse, vaihda salasana heti ja kerro siitä kaupan omistajalle.",
  },
};

const ru: AccountStrings = {
  locale: "ru",
  brandWhy:
    "Вы получили это письмо, потому что этот адрес указали в Gadka. Если это были не вы, просто проигнорируйте его: ничего не произойдёт.",
  signupConfirm: {
    subject: "Подтвердите адрес электронной почты для Gadka",
    intro: "Здравствуйте, {name}! Подтвердите этот адрес, чтобы завершить создание учётной записи Gadka.",
    button: "Подтвердить адрес",
    hint: {
      one: "Ссылка действует один раз в течение {count} дня.",
      few: "Ссылка действует один раз в течение {count} дней.",
      many: "Ссылка действует один раз в течение {count} дней.",
      other: "Ссылка действует один раз в течение {count} дня.",
    },
  },
  signupExisting: {
    subject: "У вас уже есть учётная запись Gadka",
    intro:
      "Кто-то пытался зарегистрироваться с этим адресом, но у него уже есть учётная запись Gadka. Войдите или сбросьте пароль, если забыли его.",
    button: "Войти",
    hint: "Если это были не вы, проигнорируйте письмо: ваша учётная запись не изменилась.",
  },
  emailChange: {
    subject: "Подтвердите новый адрес для Gadka",
    intro: "Здравствуйте, {name}! Подтвердите этот адрес, чтобы он стал адресом вашей учётной записи Gadka.",
    button: "Подтвердить новый адрес",
    hint: {
      one: "Ссылка действует один раз в течение {count} дня.",
      few: "Ссылка действует один раз в течение {count} дней.",
      many: "Ссылка действует один раз в течение {count} дней.",
      other: "Ссылка действует один раз в течение {count} дня.",
    },
  },
  invitation: {
    subject: "Присоединяйтесь к команде {shop} в Gadka",
    intro: "{inviter} приглашает вас отвечать в чате магазина {shop}. Роль: {role}.",
    introAnonymous: "Вас приглашают отвечать в чате магазина {shop}. Роль: {role}.",
    button: "Принять приглашение",
    hint: {
      one: "Ссылка действует один раз в течение {count} дня.",
      few: "Ссылка действует один раз в течение {count} дней.",
      many: "Ссылка действует один раз в течение {count} дней.",
      other: "Ссылка действует один раз в течение {count} дня.",
    },
  },
  roles: { owner: "владелец", admin: "администратор", agent: "оператор" },
  reset: {
    subject: "Сброс пароля Gadka",
    intro: "Кто-то запросил сброс пароля учётной записи Gadka с этим адресом. Задайте новый пароль кнопкой ниже.",
    button: "Задать новый пароль",
    hint: "Ссылка действует один раз в течение часа. После смены пароля все устройства, где выполнен вход, будут отключены.",
  },
  passwordChanged: {
    subject: "Пароль Gadka изменён",
    intro: "Пароль вашей учётной записи Gadka изменён, на остальных устройствах выполнен выход.",
    button: "Войти",
    hint: "Если это были не вы, сразу сбросьте пароль и сообщите владельцу магазина.",
  },
};

export const ACCOUNT_STRINGS: Record<EmailLanguage, AccountStrings> = { en, pl, fi, ru };
