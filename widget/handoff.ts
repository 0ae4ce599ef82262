/**
 * What the loader (widget/loader.ts) hands the presence module (widget/presence.ts) on
 * `window.__gadka` when it loads it. Types only: both are separate scripts on the shop's page.
 */
// biome-ignore lint/suspicious/noExplicitAny: command arguments are whatever the shop passes to Gadka(...)
export type Fn = (...a: any[]) => void;

export interface Handoff {
  /** The site's public key (data-site). */
  k: string;
  /** Gadka's origin. */
  g: string;
  /** data-ping: the ping interval override in ms (tests). */
  p?: string | undefined;
  /** Opens (true) or closes the chat panel; opening loads the iframe. */
  o: (open: boolean) => void;
  /** Sets the launcher's unread badge. */
  u: (n: number) => void;
  /** Loads the chat iframe without opening it. */
  l: () => void;
  /** Commands the loader does not run itself, queued until the module takes them. */
  q: unknown[][];
  /** Replaces the launcher's style (the shop's branding, written by the presence module). */
  s: (css: string) => void;
  /** Reloads the chat iframe, if loaded, with the current language (and after `reset`, a new visitor). */
  r: () => void;
  /** The shop's listeners by event (`Gadka('on', name, fn)`); the module emits its own events and runs `off`. */
  v: Record<string, Fn[]>;
  /** The launcher's button: the presence module names it (aria-label; title: the chat panel's name) in the visitor's language; focus returns there from the teaser. */
  b: HTMLElement;
  /** Set by the module: runs such a command. */
  c?: Fn;
}
