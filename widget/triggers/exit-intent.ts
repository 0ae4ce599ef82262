/**
 * Exit intent on the shop's page, for the trigger engine: on a mouse, the pointer leaves the page
 * through its top edge while moving up (toward the tabs and the address bar); on a touch screen,
 * a fast scroll back up from well down the page (the usual gesture before leaving or going back).
 * Listeners are passive and do a few comparisons; they are attached only when a rule asks.
 */

/** The pointer must leave within this many px of the top… */
const TOP_EDGE_PX = 10;
/**
 * …its last move before leaving going up by at least this much (≈ 240 px/s at 60 Hz): a slow
 * drift to the edge is not leaving. Read from the last mousemove: Chromium gives mouseout no
 * movement.
 */
const MIN_UPWARD_PX = 4;
/** A scroll up faster than this (px per ms, 2,000 px/s)… */
const FAST_SCROLL_UP = 2;
/** …from at least this far down the page. */
const MIN_SCROLL_DEPTH_PX = 400;

/** Calls `onExit` on each exit gesture, until `signal` aborts. */
export function watchExitIntent(onExit: () => void, signal: AbortSignal): void {
  const w = window;
  const d = document;
  const options = { passive: true, signal };
  // On a touch screen the scroll, with a mouse the pointer: a wheel scrolled up fast is no exit.
  if (matchMedia("(pointer: coarse)").matches) {
    let lastY = w.scrollY;
    let lastAt = 0;
    w.addEventListener(
      "scroll",
      (e) => {
        const y = w.scrollY;
        if (lastY >= MIN_SCROLL_DEPTH_PX && (lastY - y) / (e.timeStamp - lastAt) > FAST_SCROLL_UP) onExit();
        lastY = y;
        lastAt = e.timeStamp;
      },
      options,
    );
  } else {
    let up = 0;
    d.addEventListener("mousemove", (e) => (up = -e.movementY), options);
    d.addEventListener("mouseout", (e) => !e.relatedTarget && e.clientY <= TOP_EDGE_PX && up >= MIN_UPWARD_PX && onExit(), options);
  }
}
