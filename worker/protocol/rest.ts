/**
 * REST bodies and queries (valibot schemas) and the response shapes (types) of the HTTP API.
 * The Worker validates with these; the widget and admin type their calls with them.
 */
import * as v from "valibot";
import {
  HISTORY_PAGE_SIZE,
  MAX_EMAIL_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_NAME_CHARS,
  MIN_PASSWORD_CHARS,
  MAX_LIST_LIMIT,
  MAX_PASSWORD_CHARS,
} from "./limits";
import {
  CONVERSATION_STATUSES,
  PRIORITIES,
} from "./models";
import type {
  ChatMessage,
  ConversationSummary,
  MemberRole,
  MessageKind,
  OnlineOperator,
  OperatorProfile,
  SiteMembership,
  WidgetSettings,
} from "./models";

const Email = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.maxLength(MAX_EMAIL_CHARS),
  v.email("email must be an email address"),
);

export const LoginBody = v.object({
  email: Email,
  password: v.pipe(v.string(), v.minLength(1, "password is required"), v.maxLength(MAX_PASSWORD_CHARS)),
});
export type LoginBody = v.InferOutput<typeof LoginBody>;

/** `POST /api/widget/session`: the chat iframe starts (or resumes) a visitor. */
export const VisitorSessionBody = v.object({
  siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  /** A token from an earlier visit; invalid or foreign tokens are replaced, not rejected. */
  token: v.optional(v.pipe(v.string(), v.maxLength(512))),
  /**
   * The loader's tracking token (TrackResponse.t), if it has one. Used only when `token` names
   * no visitor of this site: the chat then adopts the visitor the loader has been tracking.
   */
  track: v.optional(v.pipe(v.string(), v.maxLength(512))),
});
export type VisitorSessionBody = v.InferOutput<typeof VisitorSessionBody>;

export const StatusBody = v.object({
  status: v.picklist(CONVERSATION_STATUSES),
  /** With `snoozed`: when it opens again by itself (ms); absent or null: at the visitor's reply. */
  snoozeUntil: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)))),
});

/** `PATCH /api/sites/:siteId/conversations/:id`: priority and/or tags. */
export const ConversationUpdateBody = v.object({
  priority: v.optional(v.picklist(PRIORITIES)),
  tags: v.optional(v.pipe(v.array(v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[\p{L}\p{N}_-]{1,32}$/u, "tags are single words"))), v.maxLength(20))),
});

/** Query of `GET /api/sites/:siteId/conversations`. Numbers arrive as strings. */
export const ConversationListQuery = v.object({
  status: v.optional(v.picklist([...CONVERSATION_STATUSES, "all"]), "all"),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit must be a whole number"), v.transform(Number), v.minValue(1), v.maxValue(MAX_LIST_LIMIT)),
    "50",
  ),
  /** Cursor: only conversations whose last activity is older than this (ms since epoch). */
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "before must be a timestamp"), v.transform(Number))),
});

export const HistoryQuery = v.object({
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,12}$/, "before must be a seq"), v.transform(Number))),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/), v.transform(Number), v.minValue(1), v.maxValue(200)),
    String(HISTORY_PAGE_SIZE),
  ),
});

const Note = v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(1000))));
const Skill = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(40));

/** `POST …/conversations/:id/transfer`: to a colleague, or to whoever has a skill. */
export const TransferBody = v.union([
  v.object({ operatorId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)), note: Note }),
  v.object({ skill: Skill, note: Note }),
]);
export type TransferBody = v.InferOutput<typeof TransferBody>;

/**
 * A saved reply: `/shortcut` in the composer inserts `body`, where {visitor.name},
 * {operator.name} and {operator.firstName} are filled in (and the text stays editable).
 */
export const SavedReplyBody = v.object({
  shortcut: v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[\p{L}\p{N}_-]{1,32}$/u, "shortcut is 1–32 letters, digits, - or _")),
  body: v.pipe(v.string(), v.trim(), v.minLength(1, "body must not be empty"), v.maxLength(MAX_MESSAGE_CHARS)),
  /** Personal replies are visible to their author only; shared ones need an owner or admin. */
  personal: v.optional(v.boolean(), false),
});
export type SavedReplyBody = v.InferOutput<typeof SavedReplyBody>;

const Skills = v.pipe(
  v.array(v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[\p{L}\p{N}_-]{1,40}$/u, "skills are single words"))),
  v.maxLength(20),
);
const MaxChats = v.pipe(v.number(), v.integer(), v.minValue(1, "maxChats is at least 1"), v.maxValue(50));
const AvatarUrl = v.nullable(v.pipe(v.string(), v.maxLength(500), v.regex(/^(https:\/\/|\/)[^\s"'<>]*$/, "avatarUrl is an https:// URL or a path on this site")));
const Role = v.picklist(["owner", "admin", "agent"] as const satisfies readonly MemberRole[]);

/**
 * `POST /api/sites/:siteId/operators` (owners and admins): add a colleague. A new account gets
 * the given first password; an existing account (same email) just joins the site.
 */
export const AddOperatorBody = v.object({
  email: Email,
  name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_NAME_CHARS)),
  role: v.optional(Role, "agent"),
  password: v.pipe(v.string(), v.minLength(MIN_PASSWORD_CHARS, `password is at least ${MIN_PASSWORD_CHARS} characters`), v.maxLength(MAX_PASSWORD_CHARS)),
  avatarUrl: v.optional(AvatarUrl, null),
  maxChats: v.optional(MaxChats, 5),
  skills: v.optional(Skills, []),
});
export type AddOperatorBody = v.InferOutput<typeof AddOperatorBody>;

/** `PATCH /api/sites/:siteId/operators/:operatorId`: any of these. */
export const UpdateOperatorBody = v.object({
  role: v.optional(Role),
  maxChats: v.optional(MaxChats),
  skills: v.optional(Skills),
  avatarUrl: v.optional(AvatarUrl),
});
export type UpdateOperatorBody = v.InferOutput<typeof UpdateOperatorBody>;

const settingFields = {
  accentColor: v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/, "accentColor is a colour like #4f46e5")),
  welcomeText: v.pipe(v.string(), v.trim(), v.maxLength(500)),
  /** Operators see visitors' drafts as they type. Off for privacy-sensitive shops. */
  typingPreview: v.boolean(),
  /** An assigned conversation without an answer after this long goes to a colleague. */
  reassignAfterSeconds: v.pipe(v.number(), v.integer(), v.minValue(15), v.maxValue(3600)),
  /** Topics a visitor may pick before writing; each routes to operators with its skill. */
  topics: v.pipe(v.array(v.object({ label: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(60)), skill: Skill })), v.maxLength(8)),
  /** Track nothing until the shop calls `Gadka('consent', true)` (owners only). */
  consentRequired: v.boolean(),
  /** Visitor data (profiles, visits, page views, events, their conversations) older than this many days is deleted; null keeps it (owners only). */
  retentionDays: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1, "retentionDays is at least 1"), v.maxValue(3650))),
};

/** A site's settings as stored; every field has a default, so older rows read fine. */
export const SiteSettings = v.object({
  accentColor: v.optional(settingFields.accentColor, "#4f46e5"),
  welcomeText: v.optional(settingFields.welcomeText, ""),
  typingPreview: v.optional(settingFields.typingPreview, true),
  reassignAfterSeconds: v.optional(settingFields.reassignAfterSeconds, 60),
  topics: v.optional(settingFields.topics, []),
  consentRequired: v.optional(settingFields.consentRequired, false),
  retentionDays: v.optional(settingFields.retentionDays, null),
});
export type SiteSettings = v.InferOutput<typeof SiteSettings>;

/** `PATCH /api/sites/:siteId/settings` (owners and admins): any of the settings. */
export const SiteSettingsPatch = v.partial(v.object(settingFields));

/** `POST /api/widget/conversations`: optionally, the topic the visitor picked (its skill). */
export const StartConversationBody = v.object({ skill: v.optional(v.nullable(Skill)) });

/** `GET /api/sites/:siteId/search?q=`: words to find (prefix match, all of them). */
export const SearchQuery = v.object({
  q: v.pipe(v.string(), v.trim(), v.minLength(1, "q must not be empty"), v.maxLength(200)),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,2}$/), v.transform(Number), v.minValue(1), v.maxValue(50)), "20"),
});

// ---- responses ----------------------------------------------------------------------------

export interface MeResponse {
  operator: OperatorProfile;
  sites: SiteMembership[];
}

export interface VisitorSessionResponse {
  /** Keep it; send it back as `token` and as the `Authorization: Bearer` of visitor calls. */
  token: string;
  visitorId: string;
  siteId: string;
  /** The visitor's conversation, if one exists. */
  conversationId: string | null;
  /**
   * A read-only token for `GET /api/widget/unread`. The chat iframe hands it to the loader, which
   * may keep it in the shop's storage: it reveals an unread count and nothing else.
   */
  peekToken: string | null;
  settings: WidgetSettings;
  operatorsOnline: OnlineOperator[];
  /**
   * The tracking token of this visitor (their canonical profile after a verified merge). The
   * chat hands it to the loader, which keeps it as its `t` so page views and chat are one visitor.
   */
  trackToken: string;
}

export interface StartConversationResponse {
  conversationId: string;
  /** As in `VisitorSessionResponse`: the loader's read-only token for the unread count. */
  peekToken: string;
}

/** `GET /api/widget/unread` (used by the loader, no chat UI loaded): unread operator messages. */
export interface UnreadResponse {
  unread: number;
}

export interface ConversationListResponse {
  conversations: ConversationSummary[];
  /** Pass as `before` for the next page; null when this is the last one. */
  nextBefore: number | null;
}

export interface ConversationDetailResponse {
  conversation: ConversationSummary;
  messages: ChatMessage[];
  hasMore: boolean;
}

/** `GET /api/sites/:siteId/operators`: the team, for transfers and the presence list. */
export interface TeamResponse {
  operators: {
    id: string;
    name: string;
    avatarUrl: string | null;
    maxChats: number;
    skills: string[];
    /** "offline" when no dashboard of theirs is connected. */
    presence: "online" | "away" | "offline";
    load: number;
    role: MemberRole;
    email: string;
  }[];
}

export interface SavedReply {
  id: string;
  shortcut: string;
  body: string;
  personal: boolean;
  updatedAt: number;
}

export interface SavedRepliesResponse {
  replies: SavedReply[];
}

export interface SearchResponse {
  results: {
    conversationId: string;
    seq: number;
    kind: MessageKind;
    createdAt: number;
    /** The matching passage; matched words are wrapped in U+0002 … U+0003 (render as marks). */
    snippet: string;
  }[];
}

export interface HistoryResponse {
  messages: ChatMessage[];
  hasMore: boolean;
}
