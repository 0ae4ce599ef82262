/**
 * The one place account services hand an email to the mail service: sign-up confirmation and
 * the confirmation of a new address (later: invitations and password resets). The outbound mail
 * service is being built separately; until it is wired here this sends nothing and stores
 * nothing durable. Outside production it keeps the last messages in this isolate's memory
 * (`devMailbox`) so the Workers-pool tests can open the links, as a person would from the mail.
 */
import type { Env } from "../env";

export type AccountMail =
  | { kind: "signup_confirm"; to: string; name: string; link: string }
  | { kind: "signup_existing"; to: string; signInLink: string }
  | { kind: "email_change_confirm"; to: string; name: string; link: string };

const MAX_KEPT = 50;
/** The last messages (newest last), outside production only. Tests read it; nothing else does. */
export const devMailbox: AccountMail[] = [];

export async function sendAccountMail(env: Env, mail: AccountMail): Promise<void> {
  if ((env.ENVIRONMENT as string) === "production") return;
  devMailbox.push(mail);
  if (devMailbox.length > MAX_KEPT) devMailbox.splice(0, devMailbox.length - MAX_KEPT);
}
