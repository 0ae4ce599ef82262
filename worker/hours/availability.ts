/**
 * What the widget tells a visitor right now: online, away or closed (with the next opening).
 * Pure: the caller brings the counts of operators online and away (the site hub knows them).
 */
import type { Availability, BusinessHours } from "../../protocol/hours";
import { isOpen, nextOpening } from "./schedule";

export function availability(input: { schedule: BusinessHours; operatorsOnline: number; operatorsAway: number; at: number }): Availability {
  const { schedule, operatorsOnline, operatorsAway, at } = input;
  if (schedule.mode === "operators") {
    if (operatorsOnline > 0) return { state: "online" };
    // Someone is signed in but away: they may be back any minute, which "closed" would deny.
    if (operatorsAway > 0) return { state: "away" };
    return { state: "closed", reopensAt: null };
  }
  // Outside the hours the shop is closed even when an operator happens to be online: the hours
  // are the promise the owner makes, and availability is "inside hours and someone online".
  if (!isOpen(schedule, at)) return { state: "closed", reopensAt: nextOpening(schedule, at) };
  // Inside the hours with nobody online the honest word is "away" (the hours say someone should
  // be there), not "closed", which would need a reopening time the hours do not give.
  return operatorsOnline > 0 ? { state: "online" } : { state: "away" };
}
