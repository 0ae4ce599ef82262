/**
 * Which operator sockets a sign-out closes: those of one session, or all of one operator's.
 * Used by ConversationRoom and the site hub's dashboards.
 */
import type { Participant, SessionMatch } from "../lib/participant";

type OperatorParticipant = Extract<Participant, { role: "operator" }>;

export function sessionMatches(who: OperatorParticipant, match: SessionMatch): boolean {
  return "sessionTag" in match ? who.sessionTag === match.sessionTag : who.operatorId === match.operatorId;
}
