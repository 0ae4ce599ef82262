/**
 * Choosing an operator for a conversation: among operators who are online, have the skill the
 * conversation needs (if any) and are under their cap, the least loaded; ties go round-robin
 * (the first after the last one chosen, in a fixed order). Pure, so it is tested on its own.
 */

export interface Candidate {
  id: string;
  load: number;
  maxChats: number;
  skills: string[];
}

export function pickOperator(
  candidates: Candidate[],
  opts: { skill: string | null; lastChosen: string | null; exclude?: ReadonlySet<string> },
): string | null {
  const eligible = candidates
    .filter((c) => c.load < c.maxChats && !opts.exclude?.has(c.id) && (!opts.skill || c.skills.includes(opts.skill)))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  if (eligible.length === 0) return null;
  const least = Math.min(...eligible.map((c) => c.load));
  const tied = eligible.filter((c) => c.load === least);
  return (tied.find((c) => opts.lastChosen !== null && c.id > opts.lastChosen) ?? tied[0]!).id;
}

/** A rough wait for the visitor at `position` (1 = next): one average chat per free operator. */
export function estimateWaitSeconds(position: number, operatorsOnline: number): number {
  const AVERAGE_CHAT_SECONDS = 180;
  return Math.round((position * AVERAGE_CHAT_SECONDS) / Math.max(1, operatorsOnline));
}
