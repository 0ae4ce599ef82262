/**
 * New-chat and new-message alerts for the operator: a short sound (synthesised, no file to
 * load), a browser notification, and the unread count in the tab title. Each is the
 * operator's own choice, remembered in this browser.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ConversationSummary } from "../../protocol";

export interface AlertPrefs {
  sound: boolean;
  notify: boolean;
  title: boolean;
}
const KEY = "gadka:admin:alerts";
const DEFAULTS: AlertPrefs = { sound: true, notify: false, title: true };

export function useAlertPrefs(): [AlertPrefs, (p: AlertPrefs) => void] {
  const [prefs, setPrefs] = useState<AlertPrefs>(() => {
    try {
      return { ...DEFAULTS, ...(JSON.parse(localStorage.getItem(KEY) ?? "{}") as Partial<AlertPrefs>) };
    } catch {
      return DEFAULTS;
    }
  });
  const save = (p: AlertPrefs) => {
    if (p.notify && !prefs.notify && "Notification" in window && Notification.permission === "default") {
      void Notification.requestPermission();
    }
    localStorage.setItem(KEY, JSON.stringify(p));
    setPrefs(p);
  };
  return [prefs, save];
}

function beep(): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.35);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
    osc.onended = () => void ctx.close();
  } catch {
    // no audio device or autoplay blocked: the other alerts still work
  }
}

/**
 * Alerts on a new conversation or a new visitor message in a conversation that is mine or
 * unassigned, unless the operator is looking at it right now.
 */
export function useAlerts(
  conversations: ConversationSummary[],
  opts: { meId: string; openId: string | null; prefs: AlertPrefs; label: (c: ConversationSummary) => string },
): void {
  const seen = useRef<Map<string, number> | null>(null);
  useEffect(() => {
    const previous = seen.current;
    seen.current = new Map(conversations.map((c) => [c.id, c.messageCount]));
    if (!previous) return; // the first snapshot is not news
    for (const c of conversations) {
      const before = previous.get(c.id);
      const news = c.lastMessageRole === "visitor" && (before === undefined || c.messageCount > before);
      const relevant = c.assigneeId === null || c.assigneeId === opts.meId;
      const watching = c.id === opts.openId && document.visibilityState === "visible" && document.hasFocus();
      if (!news || !relevant || watching) continue;
      if (opts.prefs.sound) beep();
      if (opts.prefs.notify && "Notification" in window && Notification.permission === "granted") {
        const n = new Notification(opts.label(c), { body: c.lastMessagePreview ?? "", tag: c.id });
        n.onclick = () => {
          window.focus();
          location.hash = `#/inbox/${c.id}`;
        };
      }
    }
  }, [conversations]);
}
