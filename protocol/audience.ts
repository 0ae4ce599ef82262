/**
 * The audience summary of a period: visits, visitors, sources, devices, countries.
 */
import * as v from "valibot";
import { Digits } from "./fields";
import type { DeviceInfo } from "./profiles";

/** `GET /api/sites/:siteId/audience?from=&to=` (ms since epoch; default the last 30 days; at most 366 days). */
export const AudienceQuery = v.object({
  from: v.optional(Digits("from")),
  to: v.optional(Digits("to")),
});
export interface AudienceResponse {
  from: number;
  to: number;
  /** Visits (sessions) that started in the period. */
  visits: number;
  /** Distinct visitors with a visit in the period; new = their first visit ever was in it. */
  visitors: number;
  newVisitors: number;
  returningVisitors: number;
  pageViews: number;
  /** Counted in visits, biggest first (top 20 each). Source: utm_source, else referrer host, else "direct". */
  sources: { source: string; visits: number }[];
  devices: { type: DeviceInfo["type"] | "unknown"; visits: number }[];
  browsers: { browser: string; visits: number }[];
  countries: { country: string; visits: number }[];
}
