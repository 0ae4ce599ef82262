/**
 * Saved segments above the visitor list (`…/segments`): a chip per segment applies its filters,
 * "Save as segment" names the current ones, ✕ deletes one (its creator, owners and admins).
 */
import { useEffect, useState } from "preact/hooks";
import { MAX_SEGMENTS_PER_SITE, type Segment, type SegmentFilters } from "../../protocol";
import { ApiFailure, api } from "./api";
import { errorText } from "./error-text";
import { t } from "./i18n";

const sameFilters = (a: SegmentFilters, b: SegmentFilters) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof SegmentFilters)[]);
  return [...keys].every((k) => (a[k] ?? "") === (b[k] ?? ""));
};

export function SegmentBar(props: {
  siteId: string;
  meId: string;
  manager: boolean;
  filters: SegmentFilters;
  onApply: (f: SegmentFilters) => void;
}) {
  const { siteId, filters } = props;
  const [segments, setSegments] = useState<Segment[] | null | undefined>(undefined);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    setSegments(undefined);
    api.segments(siteId).then(
      (r) => !stale && setSegments(r.segments),
      () => !stale && setSegments(null),
    );
    return () => {
      stale = true;
    };
  }, [siteId]);

  const empty = Object.keys(filters).length === 0;
  const save = async (e: Event) => {
    e.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      const { segment } = await api.createSegment(siteId, { name: name.trim(), filters });
      setSegments((s) => [...(s ?? []), segment]);
      setNaming(false);
      setName("");
    } catch (err) {
      setError(saveError(err, name.trim(), segments?.length ?? 0));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (s: Segment) => {
    if (!confirm(t("deleteSegmentConfirm", { name: s.name }))) return;
    setError(null);
    try {
      await api.deleteSegment(siteId, s.id);
      setSegments((list) => list?.filter((x) => x.id !== s.id));
    } catch (err) {
      setError(errorText(err, { forbidden: t("segmentNotYours") }));
    }
  };

  return (
    <div class="segments">
      <div class="segment-chips" role="group" aria-label={t("segments")}>
        <span class="segments-label">{t("segments")}</span>
        <button type="button" class={empty ? "chip on" : "chip"} aria-pressed={empty} onClick={() => props.onApply({})}>
          {t("allVisitors")}
        </button>
        {segments === undefined ? (
          <span class="muted small" aria-busy="true">
            …
          </span>
        ) : null}
        {segments === null ? <span class="muted small">{t("segmentsUnavailable")}</span> : null}
        {segments?.map((s) => {
          const on = !empty && sameFilters(s.filters, filters);
          return (
            <span key={s.id} class={on ? "chip on" : "chip"} data-segment={s.id}>
              <button type="button" class="chip-name" aria-pressed={on} title={s.name} onClick={() => props.onApply(s.filters)}>
                {s.name}
              </button>
              {props.manager || s.createdBy === props.meId ? (
                <button
                  type="button"
                  class="chip-x"
                  aria-label={t("deleteSegment", { name: s.name })}
                  title={t("deleteSegment", { name: s.name })}
                  onClick={() => remove(s)}
                >
                  ✕
                </button>
              ) : null}
            </span>
          );
        })}
        {segments && segments.length === 0 ? <span class="muted small">{t("segmentsEmpty")}</span> : null}
        {naming ? null : (
          <button
            type="button"
            class="ghost small save-segment"
            disabled={empty}
            title={empty ? t("saveSegmentHint") : undefined}
            onClick={() => {
              setNaming(true);
              setError(null);
            }}
          >
            + {t("saveSegment")}
          </button>
        )}
      </div>
      {naming ? (
        <form class="segment-form" onSubmit={save}>
          <input
            value={name}
            maxLength={60}
            autoFocus
            placeholder={t("segmentName")}
            aria-label={t("segmentName")}
            onInput={(e) => setName(e.currentTarget.value)}
            onKeyDown={(e) => e.key === "Escape" && setNaming(false)}
          />
          <button class="primary small" type="submit" disabled={!name.trim() || busy}>
            {t("save")}
          </button>
          <button
            class="ghost small"
            type="button"
            onClick={() => {
              setNaming(false);
              setError(null);
            }}
          >
            {t("cancel")}
          </button>
        </form>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function saveError(err: unknown, name: string, count: number): string {
  const full = err instanceof ApiFailure && err.status === 422 && count >= MAX_SEGMENTS_PER_SITE;
  return errorText(err, {
    conflict: t("segmentNameTaken", { name }),
    ...(full ? { validation_failed: t("segmentsFull", { max: MAX_SEGMENTS_PER_SITE }) } : {}),
  });
}
