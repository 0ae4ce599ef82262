/**
 * The conditions of a trigger that are about the visitor rather than the page — visits, new or
 * returning, traffic source, device, country, language, identified, segment — decided on the
 * server for one visitor. The answer (the ids of the triggers whose visitor conditions hold)
 * travels to the browser as TriggerFacts.q; the browser checks the rest from the compact rule set
 * (widget/triggers/conditions.ts). Pure; imported by the code that answers the trigger chunk.
 */
import type { DeviceInfo, TrafficSource } from "../../protocol/profiles";
import type { Trigger, TriggerCondition } from "../../protocol/triggers";
import { sourceLabel } from "../lib/traffic";

/** What the server knows of the visitor, from the profile and the current visit. */
export interface TriggerVisitor {
  /** Visits, the current one included. */
  visits: number;
  returning: boolean;
  /** The current visit's source; null when it is not known. */
  source: TrafficSource | null;
  device: DeviceInfo["type"] | null;
  /** 2-letter country code, upper case. */
  country: string | null;
  /** The browser's language tag (`navigator.language`, sent with each page view). */
  language: string | null;
  /** The shop said who the visitor is (`Gadka('identify', …)` or the shop API). */
  identified: boolean;
  /** The ids of the site's segments the visitor is in. */
  segments: ReadonlySet<string>;
}

/** The condition types this module decides; the compiler ships every other type to the browser. */
export const VISITOR_CONDITION_TYPES = [
  "visits",
  "visitor",
  "source",
  "device",
  "country",
  "language",
  "identified",
  "segment",
] as const satisfies readonly TriggerCondition["type"][];
type VisitorCondition = Extract<TriggerCondition, { type: (typeof VISITOR_CONDITION_TYPES)[number] }>;

export function isVisitorCondition(c: TriggerCondition): c is VisitorCondition {
  return (VISITOR_CONDITION_TYPES as readonly string[]).includes(c.type);
}

/** The ids of the enabled triggers whose visitor conditions all hold for `visitor`, in the order given. */
export function eligibleTriggerIds(triggers: readonly Trigger[], visitor: TriggerVisitor): string[] {
  return triggers.filter((t) => t.enabled && t.conditions.every((c) => !isVisitorCondition(c) || holds(c, visitor))).map((t) => t.id);
}

function holds(c: VisitorCondition, x: TriggerVisitor): boolean {
  const among = (value: string | null, values: readonly string[], match: "in" | "notIn") =>
    value !== null && values.includes(value) === (match === "in");
  switch (c.type) {
    case "visits":
      return x.visits >= c.min;
    case "visitor":
      return x.returning === (c.is === "returning");
    case "source": {
      if (!x.source) return false;
      const value =
        c.field === "source"
          ? sourceLabel(x.source)
          : ((c.field === "medium" ? x.source.utmMedium : x.source.utmCampaign)?.toLowerCase() ?? null);
      return value !== null && (c.match === "equals" ? value === c.value : value.includes(c.value));
    }
    case "device":
      return x.device !== null && (c.in as readonly string[]).includes(x.device);
    case "country":
      return among(x.country?.toUpperCase() ?? null, c.values, c.match);
    case "language":
      return among(x.language ? x.language.split("-")[0]!.toLowerCase() : null, c.values, c.match);
    case "identified":
      return x.identified === c.is;
    case "segment":
      return x.segments.has(c.segmentId) === (c.match === "in");
  }
}
