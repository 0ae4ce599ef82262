/**
 * The teaser as a visitor will see it, drawn by the widget's own teaser module
 * (widget/triggers/teaser.ts) inside a small stand-in of the shop's page: the same shadow-root
 * card, the shop's colours, the chosen language, the offer card. The frame is a containing block
 * for the card's fixed position (a transform), so it sits beside the stand-in launcher and not at
 * the window's corner. Inert: a picture of the teaser, not a second set of controls to tab through.
 */
import { useEffect, useRef } from "preact/hooks";
import type { Branding, CompactAction, CompactOffer, TriggerAction, TriggerFacts, TriggerOffer } from "../../protocol";
import { createTeaser, type Teaser } from "../../widget/triggers/teaser";

export interface Sender {
  name: string;
  avatarUrl: string | null;
}

/** What the rule set would carry for this action (as worker/triggers/compile.ts writes it). */
export function compactAction(a: TriggerAction, sender: Sender): CompactAction {
  const out: CompactAction = { n: sender.name, m: a.message };
  if (sender.avatarUrl) out.p = sender.avatarUrl;
  if (a.offer) out.o = compactOffer(a.offer);
  return out;
}

function compactOffer(o: TriggerOffer): CompactOffer {
  if (o.type === "discount") return o.description ? { k: "c", c: o.code, d: o.description } : { k: "c", c: o.code };
  if (o.type === "freeDelivery") return { k: "f", t: o.threshold, $: o.currency };
  const p: CompactOffer = { k: "p", t: o.title, u: o.url };
  if (o.imageUrl) p.i = o.imageUrl;
  if (o.price !== undefined && o.currency) {
    p.v = o.price;
    p.$ = o.currency;
  }
  return p;
}

const LAUNCHER = 56;
const NOOP = { dismiss() {}, reply() {}, clicked() {} };

export function TeaserPreview(props: {
  action: CompactAction;
  cart: TriggerFacts["ca"];
  accent: string;
  branding: Branding;
  lang: string;
  label: string;
}) {
  const { action, cart, accent, branding, lang } = props;
  const frame = useRef<HTMLDivElement>(null);
  const teaser = useRef<Teaser | null>(null);
  // Offsets are the shop's, capped so the stand-in launcher stays inside the small frame.
  const x = Math.min(branding.offsetX, 40);
  const y = Math.min(branding.offsetY, 40);
  useEffect(() => {
    const t = createTeaser({
      container: frame.current!,
      at: { side: branding.position, x, y, size: LAUNCHER },
      color: accent,
      ink: branding.textColor,
      origin: location.origin,
      lang,
    });
    teaser.current = t;
    return () => {
      t.destroy();
      teaser.current = null;
    };
  }, [accent, branding.textColor, branding.position, x, y, lang]);
  useEffect(() => {
    teaser.current?.show(action, cart, NOOP);
  });
  return (
    <figure class="trg-preview">
      <figcaption>{props.label}</figcaption>
      <div class="trg-preview-frame" inert>
        {/* The teaser's own host goes in here, a node Preact never renders into. */}
        <div ref={frame} data-testid="teaser-preview" />
        <span
          class="trg-preview-launcher"
          style={{ background: accent, color: branding.textColor, [branding.position]: `${x}px`, bottom: `${y}px` }}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z" />
          </svg>
        </span>
      </div>
    </figure>
  );
}
