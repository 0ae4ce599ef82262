/**
 * Common concerns: the most frequent words and 2–3-word phrases of visitors' first messages, so a
 * shop sees what to fix ("zwrot pieniędzy", "delivery time"). Unicode letters and digits, Polish,
 * Finnish and Russian letters as they are; stop words of en, pl, fi and ru dropped. Pure;
 * imported by the report code.
 *
 * Counts are of messages, not occurrences: one visitor writing "refund refund refund" is one
 * visitor asking for a refund. Words are not stemmed — "zamówienie" and "zamówienia" count apart.
 */
import { STOP_WORDS } from "./stop-words";

export interface TermCount {
  term: string;
  count: number;
}

/**
 * One spelling per word: NFC (an ą typed as a + combining ogonek is the same ą), lower case, ё
 * as е (Russian writes both for one word), and the typographic apostrophe as '.
 */
function normalise(text: string): string {
  return text.normalize("NFC").toLowerCase().replaceAll("ё", "е").replaceAll("’", "'");
}

const STOP = new Set(STOP_WORDS.map(normalise));

// A word: letters, marks and digits, joined by an inner apostrophe or hyphen ("don't",
// "t-shirt", "что-то"), or by a colon before a short case ending (Finnish "EU:n", "USB:tä").
const WORD = /[\p{L}\p{M}\p{N}]+(?:['-][\p{L}\p{M}\p{N}]+|:\p{L}{1,5}(?![\p{L}\p{M}\p{N}]))*/gu;
const ONLY_SPACE = /^\s*$/u;
const ONLY_DIGITS = /^\p{N}+$/u;

/** A token a phrase may not start or end with, and that never counts alone. */
const isFiller = (token: string) => STOP.has(token) || ONLY_DIGITS.test(token);

/**
 * The normalised words of `text`, in runs that a phrase may span: anything but spaces between two
 * words (a full stop, a comma, a dash, an emoji) ends a run.
 */
export function wordRuns(text: string): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  let end = 0;
  const normalised = normalise(text);
  for (const m of normalised.matchAll(WORD)) {
    if (!ONLY_SPACE.test(normalised.slice(end, m.index))) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
    run.push(m[0]);
    end = m.index + m[0].length;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * The `top` most frequent words and phrases over `messages`, each seen in at least `minCount`
 * messages (a concern is shared; a phrase seen once is just a sentence), by count and then
 * alphabetically. A phrase must start and end with a word that is not a stop word: "my order"
 * and "order is" only restate "order", while "cash on delivery" keeps its "on".
 */
export function commonConcerns(
  messages: readonly string[],
  options: { top?: number; minCount?: number } = {},
): { words: TermCount[]; phrases: TermCount[] } {
  const { top = 20, minCount = 2 } = options;
  const words = new Map<string, number>();
  const phrases = new Map<string, number>();
  for (const message of messages) {
    const seenWords = new Set<string>();
    const seenPhrases = new Set<string>();
    for (const run of wordRuns(message)) {
      for (let i = 0; i < run.length; i++) {
        if (isFiller(run[i]!)) continue;
        seenWords.add(run[i]!);
        for (let n = 2; n <= 3 && i + n <= run.length; n++) {
          if (!isFiller(run[i + n - 1]!)) seenPhrases.add(run.slice(i, i + n).join(" "));
        }
      }
    }
    for (const w of seenWords) words.set(w, (words.get(w) ?? 0) + 1);
    for (const p of seenPhrases) phrases.set(p, (phrases.get(p) ?? 0) + 1);
  }
  return { words: topTerms(words, top, minCount), phrases: topTerms(phrases, top, minCount) };
}

function topTerms(counts: Map<string, number>, top: number, minCount: number): TermCount[] {
  return [...counts]
    .filter(([, count]) => count >= minCount)
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, top)
    .map(([term, count]) => ({ term, count }));
}
