/**
 * The one place account services hand an email to the mail service: sign-up confirmation,
 * "you already have an account", a new address's confirmation, an invitation, a password reset
 * and "your password was changed". Built by worker/email/templates/account.ts in the recipient's
 * language, sent by `deliverAccountMail` (worker/services/mail.ts) with the deployment's
 * `send_email` binding, or in development written to the `account_mail` log that
 * `GET /api/dev/mail` shows. Outside production the last mails are also kept in this isolate's
 * memory (`devMailbox`), fed from this same path after the send, for the Workers-pool tests.
 */
import { type AccountMail, buildAccountMail } from "../email/templates/account";
import { emailLanguage } from "../email/templates/i18n";
import type { Env } from "../env";
import { type AccountSendOutcome, deliverAccountMail } from "../services/mail";

export type { AccountMail } from "../email/templates/account";

const MAX_KEPT = 50;
/** The last messages sent (newest last), outside production only. Tests read it; nothing else does. */
export const devMailbox: (AccountMail & { language: string })[] = [];

/** The first language of an Accept-Language header ("fi-FI,fi;q=0.9" → "fi-FI"), or null. */
export function requestLanguage(header: string | null | undefined): string | null {
  const first = (header ?? "").split(",")[0]?.split(";")[0]?.trim() ?? "";
  return /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(first) ? first : null;
}

export async function sendAccountMail(
  env: Env,
  mail: AccountMail,
  language: string | null = null,
  now = Date.now(),
): Promise<AccountSendOutcome> {
  const lang = emailLanguage(language);
  const outcome = await deliverAccountMail(env, {
    kind: mail.kind,
    language: lang,
    builder: buildAccountMail(env.MAIL_FROM, mail, lang),
    now,
  });
  if (outcome.status === "sent" && (env.ENVIRONMENT as string) !== "production") {
    devMailbox.push({ ...mail, language: lang });
    if (devMailbox.length > MAX_KEPT) devMailbox.splice(0, devMailbox.length - MAX_KEPT);
  }
  return outcome;
}
