/**
 * A site's settings as stored (every field has a default, so older rows read fine) and the
 * patch owners and admins send.
 */
import * as v from "valibot";
import { Skill } from "./fields";
import { BusinessHours, DEFAULT_BUSINESS_HOURS } from "./hours";
import { DEFAULT_STAFFING_TARGET, StaffingTarget } from "./reports";

const Hex = v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/, "a colour is like #4f46e5"));
const Offset = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(200));

/**
 * How the widget looks on the shop's page (issue 12). `accentColor` (above) stays the launcher's
 * and the chat's colour; `textColor` is the text on it (its contrast with the accent must be at
 * least 4.5:1). `launcher`: "default" draws Gadka's button; "hidden" draws none and the shop's own
 * button opens the chat (`Gadka('open')` or an element with `data-gadka-open`).
 */
export const Branding = v.object({
  /** The shop's logo in the chat header and in emails: an https URL (or a Gadka file URL). */
  logoUrl: v.optional(
    v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(2048), v.url(), v.regex(/^https:\/\//i, "logoUrl starts with https://"))),
    null,
  ),
  textColor: v.optional(Hex, "#ffffff"),
  position: v.optional(v.picklist(["right", "left"]), "right"),
  /** Distance of the launcher from the side and the bottom of the window, in px. */
  offsetX: v.optional(Offset, 20),
  offsetY: v.optional(Offset, 20),
  /** Text beside the launcher's icon ("Chat with us"); empty: the icon alone. */
  label: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(40)), ""),
  hideOnMobile: v.optional(v.boolean(), false),
  launcher: v.optional(v.picklist(["default", "hidden"]), "default"),
  /** The widget's language: the visitor's browser's ("auto") or one the shop forces. */
  locale: v.optional(v.picklist(["auto", "en", "pl", "fi", "ru"]), "auto"),
});
export type Branding = v.InferOutput<typeof Branding>;
export const DEFAULT_BRANDING: Branding = v.parse(Branding, {});

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
  /** Weekly hours in the shop's time zone, exception dates, or "online only when an operator is". */
  businessHours: BusinessHours,
  /** During hours, a visitor nobody answered within this many minutes is told and offered email. */
  noAnswerMinutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(240)),
  /** Ask for an email after this many seconds without an answer; null: only when away or closed. */
  askEmailAfterSeconds: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(3600))),
  /** The visitor has gone (no chat open) and operators replied: one email after this many minutes. */
  followUpMinutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1440)),
  /** Email the visitor a transcript when a conversation is resolved (when they left an email). */
  transcriptOnResolve: v.boolean(),
  /** An unanswered visitor message for this many minutes emails its operator (or the team) when not online. */
  operatorAlertMinutes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1440)),
  /** The reports' staffing advice: operators needed to answer this share within these seconds. */
  staffingTarget: StaffingTarget,
  /** Branding (issue 12): the widget looks like the shop. The Worker checks contrast on save. */
  branding: Branding,
  /** Sales attribution (issue 13): an order up to this many days after a chat is influenced by it. */
  attributionWindowDays: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(90)),
};

export const SiteSettings = v.object({
  accentColor: v.optional(settingFields.accentColor, "#4f46e5"),
  welcomeText: v.optional(settingFields.welcomeText, ""),
  typingPreview: v.optional(settingFields.typingPreview, true),
  reassignAfterSeconds: v.optional(settingFields.reassignAfterSeconds, 60),
  topics: v.optional(settingFields.topics, []),
  consentRequired: v.optional(settingFields.consentRequired, false),
  retentionDays: v.optional(settingFields.retentionDays, null),
  businessHours: v.optional(settingFields.businessHours, DEFAULT_BUSINESS_HOURS),
  noAnswerMinutes: v.optional(settingFields.noAnswerMinutes, 3),
  askEmailAfterSeconds: v.optional(settingFields.askEmailAfterSeconds, 60),
  followUpMinutes: v.optional(settingFields.followUpMinutes, 10),
  transcriptOnResolve: v.optional(settingFields.transcriptOnResolve, false),
  operatorAlertMinutes: v.optional(settingFields.operatorAlertMinutes, 5),
  staffingTarget: v.optional(settingFields.staffingTarget, DEFAULT_STAFFING_TARGET),
  branding: v.optional(settingFields.branding, DEFAULT_BRANDING),
  attributionWindowDays: v.optional(settingFields.attributionWindowDays, 7),
});
export type SiteSettings = v.InferOutput<typeof SiteSettings>;

/**
 * An origin the widget may run on: `https://shop.example` (a port allowed), or `http://localhost`
 * / `http://127.0.0.1` with a port for testing. No path, no trailing slash.
 */
export const AllowedOrigin = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(
    /^(https:\/\/[a-z0-9.-]+(:\d{1,5})?|http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?)$/,
    "an origin is https://host (or http://localhost:port), without a path",
  ),
);
export const MAX_ALLOWED_ORIGINS = 20;

/**
 * `PATCH /api/sites/:siteId/settings` (owners and admins): any of the settings, and the origins
 * the widget may run on (an empty list allows any origin).
 */
export const SiteSettingsPatch = v.partial(
  v.object({ ...settingFields, allowedOrigins: v.pipe(v.array(AllowedOrigin), v.maxLength(MAX_ALLOWED_ORIGINS)) }),
);
export type SiteSettingsPatch = v.InferOutput<typeof SiteSettingsPatch>;

/** `GET` and `PATCH /api/sites/:siteId/settings`: the stored settings and the allowed origins. */
export type SiteSettingsResponse = SiteSettings & { allowedOrigins: string[] };
/** Settings only a site's owners may change. */
export const OWNER_ONLY_SETTINGS = ["consentRequired", "retentionDays", "businessHours"] as const satisfies readonly (keyof SiteSettings)[];
