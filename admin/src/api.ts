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
  HoursReport,
  IdentitySecretResponse,
  InviteResponse,
  MeResponse,
  MeUpdateBody,
  OwnProfileResponse,
  ReportCsvTable,
  SavedRepliesResponse,
  SavedReply,
  SavedReplyBody,
  SearchResponse,
  SegmentBody,
  SegmentFilters,
  SegmentListResponse,
  SegmentResponse,
  SiteSecretsResponse,
  SiteSettingsPatch,
  SiteSettingsResponse,
  TeamReport,
  TeamResponse,
  TransferBody,
  UpdateOperatorBody,
  VisitorDetailsResponse,
  VisitorListResponse,
} from "../../protocol";

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
      headers: body === undefined ? {} : { "content-type": raw ? body.type : "application/json" },
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
  login: (email: string, password: string) => request<MeResponse>("POST", "/api/auth/login", { email, password }),
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
  /** A plain link (the browser downloads it with the session cookie). */
  reportCsvUrl: (siteId: string, table: ReportCsvTable, days: number) => `${reportsPath(siteId)}/csv?table=${table}&days=${days}`,
  audience: (siteId: string, from: number, to: number) =>
    request<AudienceResponse>("GET", `/api/sites/${encodeURIComponent(siteId)}/audience?from=${Math.round(from)}&to=${Math.round(to)}`),
  invite: (siteId: string, visitorId: string, text: string) =>
    request<InviteResponse>("POST", `/api/sites/${encodeURIComponent(siteId)}/visitors/${encodeURIComponent(visitorId)}/invite`, { text }),
  conversations: (siteId: string, status: ConversationStatus | "all", before?: string) =>
    request<ConversationListResponse>(
      "GET",
      `/api/sites/${encodeURIComponent(siteId)}/conversations?status=${status}${before ? `&before=${encodeURIComponent(before)}` : ""}`,
    ),
};

export function socketUrl(path: string): string {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${path}`;
}
