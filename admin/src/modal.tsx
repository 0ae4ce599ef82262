/**
 * A modal dialog: focus moves into it when it opens, Tab and Shift+Tab stay inside, Escape or a
 * click on the backdrop closes it, and focus returns to whatever had it before. Every dialog of
 * the admin (saved replies, invitation, my profile) is one of these.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Modal(props: { label: string; onClose: () => void; class?: string; children: ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const el = box.current!;
    // An element marked autofocus (the field to type in) first, else the first control.
    (el.querySelector<HTMLElement>("[autofocus]") ?? el.querySelector<HTMLElement>(FOCUSABLE) ?? el).focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        onClose.current();
      } else if (e.key === "Tab") {
        const items = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.offsetParent !== null);
        const first = items[0];
        const last = items[items.length - 1];
        if (!first || !last) return e.preventDefault();
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      before?.focus();
    };
  }, []);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click outside the dialog closes it (Escape does the same from the keyboard)
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape is handled for the whole document while the dialog is open
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && onClose.current()}>
      <div ref={box} class={`modal ${props.class ?? ""}`} role="dialog" aria-modal="true" aria-label={props.label} tabIndex={-1}>
        {props.children}
      </div>
    </div>
  );
}
