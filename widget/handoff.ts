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
  /** Names the launcher's button and the panel's iframe for screen readers (the visitor's language). */
  n: (button: string, title: string) => void;
  /** Commands the loader does not run itself, queued until the module takes them. */
  q: unknown[][];
  /** Set by the module: runs such a command. */
  c?: Fn;
}
