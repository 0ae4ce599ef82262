/**
 * Settings → Hours & email (issue 11), loaded on demand: the business hours editor (owners only:
 * the time zone, weekly ranges with several per day, exception dates, or "online whenever an
 * operator is") and the offline email settings (owners and admins: when the chat offers email,
 * follow-ups, transcripts on resolve, operator alerts). Both save through the settings API; the
 * hours are checked with the protocol's own schema before they are sent.
 */
import { useEffect, useState } from "preact/hooks";
import * as v from "valibot";
import {
  BusinessHours,
  type HoursException,
  MAX_HOURS_EXCEPTIONS,
  MAX_RANGES_PER_DAY,
  minutesOfTime,
  type SiteMembership,
  type SiteSettingsResponse,
  type TimeRange,
  WEEKDAYS,
  type Weekday,
} from "../../protocol";
import { api } from "./api";
import { errorText } from "./error-text";
import { currentLang, t } from "./i18n";

type Hours = SiteSettingsResponse["businessHours"];
type Message = { ok: boolean; text: string } | null;

/** Every zone the browser knows, with the shop's own first if the list lacks it (older browsers lack "UTC"). */
function timeZones(current: string): string[] {
  const all = Intl.supportedValuesOf("timeZone");
  return all.includes(current) ? all : [current, ...all];
}

/** Monday… in the operator's language (1 January 2024 was a Monday). */
function weekdayName(i: number): string {
  const name = new Intl.DateTimeFormat(currentLang(), { weekday: "long", timeZone: "UTC" }).format(Date.UTC(2024, 0, 1 + i));
  return name.charAt(0).toLocaleUpperCase(currentLang()) + name.slice(1);
}

/**
 * What is wrong with one day's ranges, in the operator's language (the schema's own messages are
 * English): an end not after its start, or two ranges that overlap.
 */
function rangesProblem(ranges: TimeRange[]): string | null {
  if (ranges.some((r) => minutesOfTime(r.end) <= minutesOfTime(r.start))) return t("hoursEndBeforeStart");
  const sorted = [...ranges].sort((a, b) => minutesOfTime(a.start) - minutesOfTime(b.start));
  if (sorted.some((r, i) => i > 0 && minutesOfTime(r.start) < minutesOfTime(sorted[i - 1]!.end))) return t("hoursOverlap");
  return null;
}

/**
 * A range's end as `<input type="time">` shows it: it cannot say 24:00, so midnight at the end of
 * a day reads 00:00 and is stored as 24:00 (a range never ends at the start of its own day).
 */
const endToInput = (end: string) => (end === "24:00" ? "00:00" : end);
const endFromInput = (value: string) => (value === "00:00" ? "24:00" : value);

function RangesEditor({
  ranges,
  label,
  onChange,
  problem,
  id,
}: {
  ranges: TimeRange[];
  label: string;
  onChange: (ranges: TimeRange[]) => void;
  problem: string | null;
  id: string;
}) {
  return (
    <div class="ranges">
      {ranges.length === 0 ? <span class="muted closed-day">{t("hoursClosed")}</span> : null}
      {ranges.map((r, i) => (
        <span key={i} class="range">
          <input
            type="time"
            required
            aria-label={t("hoursFrom", { day: label })}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-problem` : undefined}
            value={r.start}
            onInput={(e) => onChange(ranges.map((x, j) => (j === i ? { ...x, start: e.currentTarget.value } : x)))}
          />
          <span aria-hidden="true">–</span>
          <input
            type="time"
            required
            aria-label={t("hoursTo", { day: label })}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-problem` : undefined}
            value={endToInput(r.end)}
            onInput={(e) => onChange(ranges.map((x, j) => (j === i ? { ...x, end: endFromInput(e.currentTarget.value) } : x)))}
          />
          <button
            type="button"
            class="ghost small"
            aria-label={t("hoursRemoveRange", { day: label, from: r.start, to: r.end })}
            onClick={() => onChange(ranges.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </span>
      ))}
      {ranges.length < MAX_RANGES_PER_DAY ? (
        <button
          type="button"
          class="ghost small"
          aria-label={t("hoursAddRangeFor", { day: label })}
          onClick={() => {
            const last = ranges[ranges.length - 1];
            // After the last range, else a usual working day.
            const start = last && minutesOfTime(last.end) <= 22 * 60 ? last.end : "09:00";
            const end = last && start === last.end ? `${String(Math.min(24, Number(start.slice(0, 2)) + 2)).padStart(2, "0")}:00` : "17:00";
            onChange([...ranges, { start, end }]);
          }}
        >
          + {t("hoursAddRange")}
        </button>
      ) : null}
      {problem ? (
        <p id={`${id}-problem`} class="error small range-problem" role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

function HoursEditor({ site, initial, onSaved }: { site: SiteMembership; initial: Hours; onSaved: (s: SiteSettingsResponse) => void }) {
  const [h, setH] = useState<Hours>(initial);
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);
  const owner = site.role === "owner";
  const setDay = (day: Weekday, ranges: TimeRange[]) => setH({ ...h, weekly: { ...h.weekly, [day]: ranges } });
  const setException = (i: number, e: Partial<HoursException>) =>
    setH({ ...h, exceptions: h.exceptions.map((x, j) => (j === i ? { ...x, ...e } : x)) });
  const dayProblems = Object.fromEntries(WEEKDAYS.map((d) => [d, rangesProblem(h.weekly[d])])) as Record<Weekday, string | null>;
  const dates = h.exceptions.map((e) => e.date);

  const save = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    if (Object.values(dayProblems).some(Boolean) || h.exceptions.some((x) => rangesProblem(x.ranges))) {
      return setMessage({ ok: false, text: t("hoursFix") });
    }
    if (new Set(dates).size !== dates.length) return setMessage({ ok: false, text: t("hoursDuplicateDate") });
    const parsed = v.safeParse(BusinessHours, h);
    if (!parsed.success) return setMessage({ ok: false, text: t("hoursFix") });
    setBusy(true);
    try {
      const saved = await api.saveSettings(site.id, { businessHours: parsed.output });
      setH(saved.businessHours);
      onSaved(saved);
      setMessage({ ok: true, text: t("saved") });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="settings hours" onSubmit={save} aria-labelledby="hours-title">
      <h2 id="hours-title">{t("hoursTitle")}</h2>
      <p class="muted small">{t("hoursHint")}</p>
      <fieldset disabled={!owner || busy}>
        {owner ? null : <p class="muted small">{t("ownersOnly")}</p>}
        <div role="radiogroup" aria-label={t("hoursMode")} class="mode-choice">
          <label class="check">
            <input type="radio" name="hours-mode" checked={h.mode === "hours"} onChange={() => setH({ ...h, mode: "hours" })} />
            {t("hoursModeHours")}
          </label>
          <label class="check">
            <input type="radio" name="hours-mode" checked={h.mode === "operators"} onChange={() => setH({ ...h, mode: "operators" })} />
            {t("hoursModeOperators")}
          </label>
        </div>
        <label>
          {t("hoursTimeZone")}
          <select value={h.timeZone} onChange={(e) => setH({ ...h, timeZone: e.currentTarget.value })}>
            {timeZones(h.timeZone).map((z) => (
              <option key={z} value={z}>
                {z.replaceAll("_", " ")}
              </option>
            ))}
          </select>
        </label>
        <fieldset class="weekly" disabled={h.mode === "operators"}>
          <legend>{t("hoursWeekly")}</legend>
          {h.mode === "operators" ? <p class="muted small">{t("hoursIgnored")}</p> : null}
          {WEEKDAYS.map((day, i) => (
            <div key={day} class="day-row" data-day={day}>
              <span class="day-name">{weekdayName(i)}</span>
              <RangesEditor
                id={`day-${day}`}
                label={weekdayName(i)}
                ranges={h.weekly[day]}
                problem={dayProblems[day]}
                onChange={(r) => setDay(day, r)}
              />
            </div>
          ))}
          <p class="muted small">{t("hoursMidnight")}</p>
        </fieldset>
        <fieldset class="exceptions" disabled={h.mode === "operators"}>
          <legend>{t("hoursExceptions")}</legend>
          <p class="muted small">{t("hoursExceptionsHint")}</p>
          {h.exceptions.map((x, i) => (
            <div key={i} class="exception-row">
              <input
                type="date"
                required
                aria-label={t("hoursExceptionDate")}
                aria-invalid={dates.indexOf(x.date) !== i ? true : undefined}
                value={x.date}
                onInput={(e) => setException(i, { date: e.currentTarget.value })}
              />
              <input
                type="text"
                maxLength={60}
                placeholder={t("hoursExceptionLabel")}
                aria-label={t("hoursExceptionLabel")}
                value={x.label}
                onInput={(e) => setException(i, { label: e.currentTarget.value })}
              />
              <RangesEditor
                id={`exception-${i}`}
                label={x.label || x.date}
                ranges={x.ranges}
                problem={rangesProblem(x.ranges)}
                onChange={(ranges) => setException(i, { ranges })}
              />
              <button
                type="button"
                class="ghost small danger"
                onClick={() => setH({ ...h, exceptions: h.exceptions.filter((_, j) => j !== i) })}
              >
                {t("delete")}
              </button>
            </div>
          ))}
          {h.exceptions.length < MAX_HOURS_EXCEPTIONS ? (
            <button
              type="button"
              class="ghost small"
              onClick={() =>
                setH({ ...h, exceptions: [...h.exceptions, { date: new Date().toISOString().slice(0, 10), ranges: [], label: "" }] })
              }
            >
              + {t("hoursAddException")}
            </button>
          ) : null}
        </fieldset>
        <button class="primary" type="submit">
          {t("save")}
        </button>
      </fieldset>
      {message ? (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}

type EmailFields = Pick<
  SiteSettingsResponse,
  "noAnswerMinutes" | "askEmailAfterSeconds" | "followUpMinutes" | "transcriptOnResolve" | "operatorAlertMinutes"
>;

function NumberField({
  label,
  hint,
  value,
  min,
  max,
  onChange,
}: {
  label: string;
  hint?: string;
  value: number;
  min: number;
  max: number;
  onChange: (n: number) => void;
}) {
  return (
    <label>
      {label}
      <input type="number" required min={min} max={max} step={1} value={value} onInput={(e) => onChange(e.currentTarget.valueAsNumber)} />
      {hint ? <span class="muted small field-note">{hint}</span> : null}
    </label>
  );
}

function EmailSettings({ site, initial }: { site: SiteMembership; initial: SiteSettingsResponse }) {
  const pick = (s: SiteSettingsResponse): EmailFields => ({
    noAnswerMinutes: s.noAnswerMinutes,
    askEmailAfterSeconds: s.askEmailAfterSeconds,
    followUpMinutes: s.followUpMinutes,
    transcriptOnResolve: s.transcriptOnResolve,
    operatorAlertMinutes: s.operatorAlertMinutes,
  });
  const [s, setS] = useState<EmailFields>(() => pick(initial));
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);
  const readOnly = site.role === "agent";
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      setS(pick(await api.saveSettings(site.id, s)));
      setMessage({ ok: true, text: t("saved") });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="settings email-settings" onSubmit={save} aria-labelledby="email-settings-title">
      <h2 id="email-settings-title">{t("emailSettingsTitle")}</h2>
      <p class="muted small">{t("emailSettingsHint")}</p>
      <fieldset disabled={readOnly || busy}>
        {readOnly ? <p class="muted small">{t("adminsOnly")}</p> : null}
        <NumberField
          label={t("noAnswerMinutes")}
          hint={t("noAnswerMinutesHint")}
          value={s.noAnswerMinutes}
          min={1}
          max={240}
          onChange={(n) => setS({ ...s, noAnswerMinutes: n })}
        />
        <label class="check">
          <input
            type="checkbox"
            checked={s.askEmailAfterSeconds !== null}
            onChange={(e) => setS({ ...s, askEmailAfterSeconds: e.currentTarget.checked ? 60 : null })}
          />
          {t("askEmailWhileOnline")}
        </label>
        {s.askEmailAfterSeconds !== null ? (
          <NumberField
            label={t("askEmailAfterSeconds")}
            value={s.askEmailAfterSeconds}
            min={10}
            max={3600}
            onChange={(n) => setS({ ...s, askEmailAfterSeconds: n })}
          />
        ) : (
          <p class="muted small">{t("askEmailOnlyClosed")}</p>
        )}
        <NumberField
          label={t("followUpMinutes")}
          hint={t("followUpMinutesHint")}
          value={s.followUpMinutes}
          min={1}
          max={1440}
          onChange={(n) => setS({ ...s, followUpMinutes: n })}
        />
        <label class="check">
          <input
            type="checkbox"
            checked={s.transcriptOnResolve}
            onChange={(e) => setS({ ...s, transcriptOnResolve: e.currentTarget.checked })}
          />
          {t("transcriptOnResolve")}
        </label>
        <NumberField
          label={t("operatorAlertMinutes")}
          hint={t("operatorAlertMinutesHint")}
          value={s.operatorAlertMinutes}
          min={1}
          max={1440}
          onChange={(n) => setS({ ...s, operatorAlertMinutes: n })}
        />
        <button class="primary" type="submit">
          {t("save")}
        </button>
      </fieldset>
      {message ? (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}

export default function HoursPage({ site }: { site: SiteMembership }) {
  const [s, setS] = useState<SiteSettingsResponse | null | undefined>(undefined);
  useEffect(() => {
    let stale = false;
    api.settings(site.id).then(
      (r) => !stale && setS(r),
      () => !stale && setS(null),
    );
    return () => {
      stale = true;
    };
  }, [site.id]);
  if (s === undefined) return <section class="settings" aria-busy="true" />;
  if (s === null) return <p class="error">{t("genericError")}</p>;
  return (
    <>
      <HoursEditor site={site} initial={s.businessHours} onSaved={setS} />
      <EmailSettings site={site} initial={s} />
    </>
  );
}
