/**
 * The conversation's workflow controls in its header: status (pending, snooze for an hour /
 * until tomorrow 9:00 / until the visitor replies, resolve, reopen), priority and tags.
 */
import { useState } from "preact/hooks";
import type { ConversationStatus, Priority } from "../../protocol";
import { PRIORITIES } from "../../protocol/models";
import { t } from "./i18n";

export function tomorrowAt9(now = new Date()): number {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d.getTime();
}

export function WorkflowControls(props: {
  status: ConversationStatus;
  priority: Priority;
  tags: string[];
  onStatus: (status: ConversationStatus, snoozeUntil?: number | null) => void;
  onUpdate: (d: { priority?: Priority; tags?: string[] }) => void;
}) {
  const [snoozing, setSnoozing] = useState(false);
  const [tagText, setTagText] = useState(props.tags.join(", "));
  const saveTags = () =>
    props.onUpdate({
      tags: tagText
        .split(/[,\s]+/)
        .map((x) => x.trim().toLowerCase())
        .filter(Boolean),
    });
  return (
    <div class="workflow">
      <select
        class={`priority p-${props.priority}`}
        value={props.priority}
        aria-label={t("priority")}
        onChange={(e) => props.onUpdate({ priority: e.currentTarget.value as Priority })}
      >
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {t(`priority_${p}`)}
          </option>
        ))}
      </select>
      <input
        class="tags-input"
        placeholder={t("tags")}
        aria-label={t("tags")}
        value={tagText}
        onInput={(e) => setTagText(e.currentTarget.value)}
        onBlur={saveTags}
        onKeyDown={(e) => e.key === "Enter" && saveTags()}
      />
      {props.status === "open" ? (
        <button type="button" class="ghost small" onClick={() => props.onStatus("pending")} title={t("pendingHint")}>
          {t("markPending")}
        </button>
      ) : null}
      {props.status !== "resolved" ? (
        <span class="snooze">
          <button type="button" class="ghost small" aria-expanded={snoozing} onClick={() => setSnoozing((x) => !x)}>
            {t("snooze")} ▾
          </button>
          {snoozing ? (
            <span class="snooze-menu" role="menu">
              {[
                [t("snooze1h"), Date.now() + 3_600_000],
                [t("snoozeTomorrow"), tomorrowAt9()],
                [t("snoozeReply"), null],
              ].map(([label, until]) => (
                <button
                  type="button"
                  key={String(label)}
                  role="menuitem"
                  onClick={() => {
                    setSnoozing(false);
                    props.onStatus("snoozed", until as number | null);
                  }}
                >
                  {label}
                </button>
              ))}
            </span>
          ) : null}
        </span>
      ) : null}
      {props.status === "resolved" ? (
        <button type="button" class="ghost small" onClick={() => props.onStatus("open")}>
          {t("reopen")}
        </button>
      ) : (
        <button type="button" class="primary small" onClick={() => props.onStatus("resolved")}>
          ✓ {t("resolve")}
        </button>
      )}
    </div>
  );
}
