/**
 * The admin's REST client: same-origin JSON calls with the session cookie; failures become
 * `ApiFailure` with the server's error code (or `network`), and a 401 signs the operator out.
 */
import type {
  AddOperatorBody,
  AddOperatorResponse,
  ApiKeyResponse,
  AudienceResponse,
  ConcernsReport,
  ConversationListResponse,
  ConversationStatus,
  ConversationSummary,
  CreateSiteResponse,
  HoursReport,
  IdentitySecretResponse,
  InstallStatusResponse,
  InvitationPreview,
  InviteResponse,
  LiveListResponse,
  MeResponse,
  MeUpdateBody,
  OwnProfileResponse,
  RecoveryCodesResponse,
  ReportCsvTable,
  SalesReport,
  SavedRepliesResponse,
  SavedReply,
  SavedReplyBody,
  SearchResponse,
  SegmentBody,
  SegmentFilters,
  SegmentListResponse,
  SegmentResponse,
  SentMailResponse,
  SessionsResponse,
  SetupBody,
  SignupBody,
  SignupModeResponse,
  SiteProfilePatch,
  SiteSecretsResponse,
  SiteSecurityResponse,
  SiteSettingsPatch,
  SiteSettingsResponse,
  TeamInviteBody,
  TeamInviteResponse,
  TeamReport,
  TeamResponse,
  TranscriptResponse,
  TransferBody,
  Trigger,
  TriggerCaps,
  TriggerDefinition,
  TwoFactorChallengeResponse,
  TwoFactorEnrolResponse,
  UpdateOperatorBody,
  VisitorDetailsResponse,
  VisitorListResponse,
} from "../../protocol";
import { currentLang } from "./i18n";

/** A trigger's counters over the last 30 days (issue 12). */
export interface TriggerStats {
  shown: number;
  control: number;
  dismissed: number;
  clicked: number;
  conversations: number;
}
/** A stored trigger as `GET /api/sites/:siteId/triggers` lists it. */
export type TriggerRecord = Trigger & { stats?: TriggerStats };

export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
export function whenSignedOut(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * A socket the server closed for good (4401 signed out, 4403/4404 no longer this site's or gone):
 * ask who we are; a 401 signs the operator out, otherwise the app starts again with the sites
 * the operator still has.
 */
export function socketEnded(): void {
  api.me().then(
    () => location.reload(),
    () => {},
  );
}

const reportsPath = (siteId: string) => `/api/sites/${encodeURIComponent(siteId)}/reports`;

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let r: Response;
  try {
    const raw = body instanceof Blob;
    r = await fetch(path, {
      method,
      credentials: "same-origin",
      // The admin's language, for the emails a request sends (sign-up, invitations, resets).
      headers: {
        "accept-language": currentLang(),
        ...(body === undefined ? {} : { "content-type": raw ? body.type : "application/json" }),
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure("network", "network", 0);
  }
  if (r.status === 204) return undefined as T;
  const json = (await r.json().catch(() => null)) as (T & { error?: { code: string; message: string } }) | null;
  if (!r.ok) {
    if (r.status === 401 && !path.endsWith("/login")) onUnauthorized();
    const retry = r.headers.get("retry-after");
    throw new ApiFailure(json?.error?.code ?? "internal", json?.error?.message ?? r.statusText, r.status, retry ? Number(retry) : null);
  }
  return json as T;
}

export const api = {
  me: () => request<MeResponse>("GET", "/api/me"),
  /** The session (MeResponse), or a two-factor challenge for `loginCode`. */
  login: (email: string, password: string) =>
    request<MeResponse | TwoFactorChallengeResponse>("POST", "/api/auth/login", { email, password }),
  loginCode: (challenge: string, code: string) => request<MeResponse>("POST", "/api/auth/login/two-factor", { challenge, code }),
  setupUsable: (token: string) => request<{ usable: boolean }>("GET", `/api/auth/setup?token=${encodeURIComponent(token)}`),
  setup: (body: SetupBody) => request<MeResponse>("POST", "/api/auth/setup", body),
  signupMode: () => request<SignupModeResponse>("GET", "/api/auth/signup"),
  signup: (body: SignupBody) => request<{ status: "confirmation_sent" }>("POST", "/api/auth/signup", body),
  confirm: (token: string) => request<MeResponse | { emailChanged: true }>("POST", "/api/auth/confirm", { token }),
  createSite: (name: string, url?: string) => request<CreateSiteResponse>("POST", "/api/sites", url ? { name, url } : { name }),
  siteProfile: (siteId: string, body: SiteProfilePatch) =>
    request<InstallStatusResponse>("PATCH", `/api/sites/${encodeURIComponent(siteId)}/profile`, body),
  install: (siteId: string) => request<InstallStatusResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/install`),
  siteSecurity: (siteId: string) => request<SiteSecurityResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/security`),
  setSiteSecurity: (siteId: string, requireTwoFactor: boolean) =>
    request<SiteSecurityResponse>("PUT", `/api/sites/${encodeURIComponent(siteId)}/security`, { requireTwoFactor }),
  enrolTwoFactor: () => request<TwoFactorEnrolResponse>("POST", "/api/me/two-factor/enrol"),
  confirmTwoFactor: (code: string) => request<RecoveryCodesResponse>("POST", "/api/me/two-factor/confirm", { code }),
  disableTwoFactor: (password: string, code: string) => request<MeResponse>("POST", "/api/me/two-factor/disable", { password, code }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>("POST", "/api/me/password", { currentPassword, newPassword }),
  changeEmail: (password: string, email: string) => request<unknown>("POST", "/api/me/email", { password, email }),
  sessions: () => request<SessionsResponse>("GET", "/api/me/sessions"),
  endOtherSessions: () => request<{ ended: number }>("DELETE", "/api/me/sessions"),
  logout: () => request<void>("POST", "/api/auth/logout"),
  /** The signed-in operator's own name (every site shows it); read `me()` again for the result. */
  updateMe: (body: MeUpdateBody) => request<OwnProfileResponse>("PATCH", "/api/me", body),
  /** The signed-in operator's own photo: only they may change it. */
  uploadMyAvatar: (file: File) => request<OwnProfileResponse>("PUT", "/api/me/avatar", file),
  acceptInvitation: (id: string) => request<unknown>("POST", `/api/me/invitations/${encodeURIComponent(id)}/accept`),
  declineInvitation: (id: string) => request<unknown>("POST", `/api/me/invitations/${encodeURIComponent(id)}/decline`),
  addOperator: (siteId: string, body: Partial<AddOperatorBody> & Pick<AddOperatorBody, "email" | "name" | "password">) =>
    request<AddOperatorResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/operators`, body),
  updateOperator: (siteId: string, id: string, body: UpdateOperatorBody) =>
    request<unknown>("PATCH", `/api/sites/${encodeURIComponent(siteId)}/operators/${encodeURIComponent(id)}`, body),
  inviteByEmail: (siteId: string, body: Partial<TeamInviteBody> & Pick<TeamInviteBody, "email">) =>
    request<TeamInviteResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/invitations`, body),
  resendInvitation: (siteId: string, id: string) =>
    request<TeamInviteResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/invitations/${encodeURIComponent(id)}/resend`),
  requestPasswordReset: (email: string) => request<{ status: "sent" }>("POST", "/api/auth/password-reset", { email }),
  resetPassword: (token: string, password: string) =>
    request<{ status: "password_changed" }>("POST", "/api/auth/password-reset/confirm", { token, password }),
  invitation: (token: string) => request<InvitationPreview>("GET", `/api/auth/invitation?token=${encodeURIComponent(token)}`),
  acceptInvitationLink: (body: { token: string; name?: string; password?: string; avatarUrl?: string }) =>
    request<MeResponse>("POST", "/api/auth/invitation/accept", body),
  revokeInvitation: (siteId: string, id: string) =>
    request<void>("DELETE", `/api/sites/${encodeURIComponent(siteId)}/invitations/${encodeURIComponent(id)}`),
  settings: (siteId: string) => request<SiteSettingsResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/settings`),
  saveSettings: (siteId: string, body: SiteSettingsPatch) =>
    request<SiteSettingsResponse>("PATCH", `/api/sites/${encodeURIComponent(siteId)}/settings`, body),
  savedReplies: (siteId: string) => request<SavedRepliesResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/saved-replies`),
  createSavedReply: (siteId: string, body: SavedReplyBody) =>
    request<SavedReply>("POST", `/api/sites/${encodeURIComponent(siteId)}/saved-replies`, body),
  deleteSavedReply: (siteId: string, id: string) =>
    request<void>("DELETE", `/api/sites/${encodeURIComponent(siteId)}/saved-replies/${encodeURIComponent(id)}`),
  search: (siteId: string, q: string) =>
    request<SearchResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/search?q=${encodeURIComponent(q)}`),
  team: (siteId: string) => request<TeamResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/operators`),
  transfer: (siteId: string, id: string, body: TransferBody) =>
    request<{ conversation: ConversationSummary }>(
      "POST",
      `/api/sites/${encodeURIComponent(siteId)}/conversations/${encodeURIComponent(id)}/transfer`,
      body,
    ),
  take: (siteId: string, id: string) =>
    request<{ conversation: ConversationSummary }>(
      "POST",
      `/api/sites/${encodeURIComponent(siteId)}/conversations/${encodeURIComponent(id)}/take`,
    ),
  visitor: (siteId: string, visitorId: string) =>
    request<VisitorDetailsResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/visitors/${encodeURIComponent(visitorId)}`),
  eraseVisitor: (siteId: string, visitorId: string) =>
    request<unknown>("DELETE", `/api/sites/${encodeURIComponent(siteId)}/visitors/${encodeURIComponent(visitorId)}`),
  visitors: (siteId: string, filters: SegmentFilters, cursor?: string) => {
    const query = new URLSearchParams(
      Object.entries({ ...filters, ...(cursor ? { cursor } : {}) }).filter((e): e is [string, string] => !!e[1]),
    );
    return request<VisitorListResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/visitors?${query}`);
  },
  segments: (siteId: string) => request<SegmentListResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/segments`),
  createSegment: (siteId: string, body: SegmentBody) =>
    request<SegmentResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/segments`, body),
  deleteSegment: (siteId: string, id: string) =>
    request<void>("DELETE", `/api/sites/${encodeURIComponent(siteId)}/segments/${encodeURIComponent(id)}`),
  secrets: (siteId: string) => request<SiteSecretsResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/settings/secrets`),
  rotateIdentitySecret: (siteId: string) =>
    request<IdentitySecretResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/settings/secrets/identity`),
  createApiKey: (siteId: string) => request<ApiKeyResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/settings/secrets/api-key`),
  teamReport: (siteId: string, days: number) => request<TeamReport>("GET", `${reportsPath(siteId)}/team?days=${days}`),
  hoursReport: (siteId: string, days: number) => request<HoursReport>("GET", `${reportsPath(siteId)}/hours?days=${days}`),
  concernsReport: (siteId: string, days: number) => request<ConcernsReport>("GET", `${reportsPath(siteId)}/concerns?days=${days}`),
  salesReport: (siteId: string, days: number) => request<SalesReport>("GET", `${reportsPath(siteId)}/sales?days=${days}`),
  /** A plain link (the browser downloads it with the session cookie). */
  reportCsvUrl: (siteId: string, table: ReportCsvTable, days: number, lang = "en") =>
    `${reportsPath(siteId)}/csv?table=${table}&days=${days}&lang=${lang}`,
  audience: (siteId: string, from: number, to: number) =>
    request<AudienceResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/audience?from=${Math.round(from)}&to=${Math.round(to)}`),
  live: (siteId: string, query: Record<string, string>) =>
    request<LiveListResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/live?${new URLSearchParams(query)}`),
  invite: (siteId: string, visitorId: string, text: string) =>
    request<InviteResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/visitors/${encodeURIComponent(visitorId)}/invite`, { text }),
  /** What a local deployment would have emailed (development only: 404 elsewhere). */
  sentMail: (siteId: string, cursor?: string) =>
    request<SentMailResponse>(
      "GET",
      `/api/sites/${encodeURIComponent(siteId)}/sent-mail${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`,
    ),
  /** Emails the conversation to the visitor: 409 `conflict` when they left no email, 429 past the send limits. */
  sendTranscript: (siteId: string, id: string) =>
    request<TranscriptResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/conversations/${encodeURIComponent(id)}/transcript`),
  conversations: (siteId: string, status: ConversationStatus | "all", before?: string) =>
    request<ConversationListResponse>(
      "GET",
      `/api/sites/${encodeURIComponent(siteId)}/conversations?status=${status}${before ? `&before=${encodeURIComponent(before)}` : ""}`,
    ),
  triggers: (siteId: string) => request<{ triggers: TriggerRecord[] }>("GET", triggersPath(siteId)),
  createTrigger: (siteId: string, body: TriggerDefinition) => request<{ trigger: TriggerRecord }>("POST", triggersPath(siteId), body),
  saveTrigger: (siteId: string, id: string, body: TriggerDefinition) =>
    request<{ trigger: TriggerRecord }>("PUT", `${triggersPath(siteId)}/${encodeURIComponent(id)}`, body),
  deleteTrigger: (siteId: string, id: string) => request<void>("DELETE", `${triggersPath(siteId)}/${encodeURIComponent(id)}`),
  /** Draws the trigger's holdout salt again: a fresh control group, counting afresh. */
  restartHoldout: (siteId: string, id: string) =>
    request<{ trigger: TriggerRecord }>("POST", `${triggersPath(siteId)}/${encodeURIComponent(id)}/restart-holdout`),
  triggerCaps: (siteId: string) => request<CapsAnswer>("GET", `/api/sites/${encodeURIComponent(siteId)}/trigger-caps`).then(capsOf),
  saveTriggerCaps: (siteId: string, caps: TriggerCaps) =>
    request<CapsAnswer>("PUT", `/api/sites/${encodeURIComponent(siteId)}/trigger-caps`, caps).then(capsOf),
};

/** The caps as the body (`TriggerCaps`) or wrapped (`{ caps }`): the admin reads either. */
type CapsAnswer = TriggerCaps | { caps: TriggerCaps };
const capsOf = (r: CapsAnswer): TriggerCaps => ("caps" in r ? r.caps : r);
const triggersPath = (siteId: string) => `/api/sites/${encodeURIComponent(siteId)}/triggers`;

export function socketUrl(path: string): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}
