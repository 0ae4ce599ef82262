/**
 * A failed request in the operator's language. The error's stable code picks the sentence, and
 * a caller may name better ones for the codes it expects ("that shortcut is taken"); the
 * server's English message is only the fallback for a code this build does not know.
 */
import type { ErrorCode } from "../../protocol";
import { ApiFailure } from "./api";
import { type TextKey, t } from "./i18n";

const BY_CODE: Record<ErrorCode | "network", TextKey> = {
  bad_json: "genericError",
  bad_request: "err_invalidInput",
  validation_failed: "err_invalidInput",
  too_large: "err_tooLarge",
  unsupported_media_type: "err_invalidInput",
  unknown_type: "genericError",
  unauthorized: "genericError",
  bad_credentials: "badCredentials",
  forbidden: "err_forbidden",
  bad_origin: "err_forbidden",
  not_found: "err_notFound",
  upgrade_required: "genericError",
  conflict: "err_conflict",
  too_many_attempts: "err_rateLimited",
  rate_limited: "err_rateLimited",
  bad_token: "linkExpired",
  signup_closed: "signupClosed",
  bad_code: "wrongCode",
  invitation_expired: "invitationExpired",
  invitation_used: "invitationUsed",
  invitation_revoked: "invitationRevoked",
  wrong_account: "err_forbidden",
  internal: "genericError",
  network: "network",
};

export function errorText(err: unknown, specific: Partial<Record<ErrorCode | "network", string>> = {}): string {
  if (!(err instanceof ApiFailure)) return t("genericError");
  const code = err.code as ErrorCode | "network";
  if (Object.hasOwn(specific, code)) return specific[code]!;
  return Object.hasOwn(BY_CODE, code) ? t(BY_CODE[code]) : err.message || t("genericError");
}
