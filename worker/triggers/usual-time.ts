/**
 * "Longer than this page's usual": each page's p75 time on page, shipped with the rule set under
 * its page key (protocol/page-key.ts), and the whole site's under ALL_PAGES_KEY for pages without
 * one. Input per page: the durations of its timed views, or a mergeable histogram of them (the
 * visitor shards' daily rollups, worker/reports/duration-histogram.ts) — 14 days of either. Pure.
 */
import { ALL_PAGES_KEY, MAX_USUAL_PAGES, MIN_USUAL_PAGE_VIEWS } from "../../protocol/triggers";
import {
  addDuration,
  type DurationHistogram,
  emptyHistogram,
  histogramCount,
  histogramPercentiles,
  mergeHistograms,
} from "../reports/duration-histogram";
import { percentiles } from "../reports/percentiles";

/**
 * The key under which a visitor shard adds up the views of the pages beyond the ones it names
 * (VisitorShard.pageDurations): they count for the site's p75, never as a page of their own. A
 * page key starts with "/", so no page has it.
 */
export const REST_PAGES_KEY = "\u0000rest";

/** One page's timed views (ms): a list, or a histogram; `key` is its page key. */
export type PageDurations = { key: string; durations: readonly number[] } | { key: string; histogram: DurationHistogram };

export interface UsualTimeOptions {
  /** Pages shipped, the most viewed first (default MAX_USUAL_PAGES). */
  maxPages?: number;
  /** Views a page needs for a p75 of its own (default MIN_USUAL_PAGE_VIEWS). */
  minViews?: number;
}

/**
 * Whole seconds per page key (rounded: half a second either way changes no visitor's experience,
 * and it absorbs the histograms' 1%, which rounding up would turn into a second too many): the top
 * `maxPages` pages by views among those with at least `minViews` (ties: the key, so the answer
 * is stable), plus ALL_PAGES_KEY over every view of every page when those reach `minViews`. A key
 * given twice is one page (its views are added up). Percentiles as in worker/reports: exact for
 * lists, within 1% from histograms.
 */
export function usualTimeOnPage(pages: Iterable<PageDurations>, options: UsualTimeOptions = {}): Record<string, number> {
  const { maxPages = MAX_USUAL_PAGES, minViews = MIN_USUAL_PAGE_VIEWS } = options;
  const byKey = new Map<string, { durations: number[]; histogram: DurationHistogram; lists: boolean; views: number }>();
  const site = emptyHistogram();
  for (const page of pages) {
    const entry = byKey.get(page.key) ?? { durations: [], histogram: emptyHistogram(), lists: true, views: 0 };
    byKey.set(page.key, entry);
    if ("durations" in page) {
      for (const ms of page.durations) {
        addDuration(site, ms); // also rejects what is not a finite duration ≥ 0
        addDuration(entry.histogram, ms);
        entry.durations.push(ms);
      }
      entry.views += page.durations.length;
    } else {
      mergeHistograms(site, page.histogram);
      mergeHistograms(entry.histogram, page.histogram);
      entry.lists = false;
      entry.views += histogramCount(page.histogram);
    }
  }
  const seconds = (ms: number) => Math.round(ms / 1000);
  const usual: Record<string, number> = {};
  const top = [...byKey.entries()]
    .filter(([key, e]) => e.views >= minViews && key !== REST_PAGES_KEY)
    .sort(([a, x], [b, y]) => y.views - x.views || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, maxPages);
  for (const [key, e] of top) {
    const p75 = e.lists ? percentiles(e.durations, [0.75]) : histogramPercentiles(e.histogram, [0.75]);
    usual[key] = seconds(p75![0]!);
  }
  if (histogramCount(site) >= minViews) usual[ALL_PAGES_KEY] = seconds(histogramPercentiles(site, [0.75])![0]!);
  return usual;
}
