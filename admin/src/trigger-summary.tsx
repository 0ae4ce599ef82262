/**
 * A trigger's conditions in the operator's words ("page contains “/cart” · cart ≥ €50.00 · about
 * to leave"), for the Engagement list. Pure: the segment names come from the caller.
 */
import type { TriggerCondition } from "../../protocol";
import { t, tn } from "./i18n";
import { formatMoney } from "./i18n/format";

export function conditionWords(c: TriggerCondition, segmentName: (id: string) => string): string {
  switch (c.type) {
    case "page":
      return t("sum_page", { how: t(`match_${c.match}`), value: c.value });
    case "timeOnPage":
      return t("sum_timeOnPage", { count: c.seconds });
    case "longerThanUsual":
      return t("sum_longerThanUsual");
    case "visits":
      return tn("sum_visits", c.min);
    case "visitor":
      return t(c.is === "new" ? "sum_visitor_new" : "sum_visitor_returning");
    case "source":
      return t("sum_source", { field: c.field, how: t(`match_${c.match}`), value: c.value });
    case "device":
      return t("sum_device", { devices: c.in.map((d) => t(`device_${d}`)).join(", ") });
    case "country":
      return t("sum_country", { how: t(`match_${c.match}`), values: c.values.join(", ") });
    case "language":
      return t("sum_language", { how: t(`match_${c.match}`), values: c.values.join(", ") });
    case "identified":
      return t(c.is ? "sum_identified" : "sum_anonymous");
    case "segment":
      return t(c.match === "in" ? "sum_segment" : "sum_notSegment", { name: segmentName(c.segmentId) });
    case "cartValue":
      return t("sum_cartValue", { amount: formatMoney(c.min, c.currency) });
    case "cartItems":
      return tn("sum_cartItems", c.min);
    case "exitIntent":
      return t("sum_exitIntent");
    case "businessHours":
      return t(c.inside ? "sum_inside" : "sum_outside");
    case "operators":
      return t(c.available ? "sum_available" : "sum_nobody");
  }
}

export function conditionsWords(conditions: TriggerCondition[], segmentName: (id: string) => string): string {
  return conditions.length ? conditions.map((c) => conditionWords(c, segmentName)).join(" · ") : t("eng_summaryNone");
}
