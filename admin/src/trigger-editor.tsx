/**
 * The trigger editor (issue 12): name, enabled, priority; the conditions (rows of any
 * `TriggerCondition` type, each with its own inputs); the action (from an operator, with their
 * photo, or the team; the message; an optional offer card); how often; the control group and
 * "restart experiment"; and beside it the live teaser preview. The draft is checked with the
 * protocol's own schema before it is sent; a problem (ours or the server's, which names a path
 * like `conditions.1.segmentId`) is shown next to the field it names and that field is focused.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import * as v from "valibot";
import {
  type Branding,
  DEFAULT_HOLDOUT_PERCENT,
  describeIssue,
  MAX_TRIGGER_CONDITIONS,
  MAX_TRIGGER_MESSAGE_CHARS,
  MAX_TRIGGER_NAME_CHARS,
  type Segment,
  type TriggerCondition,
  type TriggerConditionType,
  TriggerDefinition,
  type TriggerOffer,
} from "../../protocol";
import { ApiFailure, api, type TriggerRecord } from "./api";
import { Avatar } from "./avatar";
import { errorText } from "./error-text";
import { currentLang, LANGUAGES, type Lang, type TextKey, t } from "./i18n";
import { compactAction, type Sender, TeaserPreview } from "./trigger-preview";

export interface TeamMember {
  id: string;
  name: string;
  avatarUrl: string | null;
}

export const CONDITION_TYPES: TriggerConditionType[] = [
  "page",
  "timeOnPage",
  "longerThanUsual",
  "visits",
  "visitor",
  "source",
  "device",
  "country",
  "language",
  "identified",
  "segment",
  "cartValue",
  "cartItems",
  "exitIntent",
  "businessHours",
  "operators",
];

export function newCondition(type: TriggerConditionType, segments: Segment[]): TriggerCondition {
  switch (type) {
    case "page":
      return { type, match: "contains", value: "/" };
    case "timeOnPage":
      return { type, seconds: 30 };
    case "longerThanUsual":
      return { type, minSeconds: 10 };
    case "visits":
      return { type, min: 2 };
    case "visitor":
      return { type, is: "returning" };
    case "source":
      return { type, field: "source", match: "equals", value: "" };
    case "device":
      return { type, in: ["desktop"] };
    case "country":
      return { type, match: "in", values: ["PL"] };
    case "language":
      return { type, match: "in", values: ["pl"] };
    case "identified":
      return { type, is: true };
    case "segment":
      return { type, segmentId: segments[0]?.id ?? "", match: "in" };
    case "cartValue":
      return { type, min: 50, currency: "EUR" };
    case "cartItems":
      return { type, min: 1 };
    case "exitIntent":
      return { type };
    case "businessHours":
      return { type, inside: true };
    case "operators":
      return { type, available: true };
  }
}

export function newTrigger(): TriggerDefinition {
  return {
    name: "",
    enabled: true,
    priority: 50,
    conditions: [],
    action: { from: { type: "team" }, message: "" },
    frequencyDays: 7,
    holdoutPercent: DEFAULT_HOLDOUT_PERCENT,
  };
}

/** The definition part of a stored trigger (what PUT takes). */
export function definitionOf(r: TriggerRecord): TriggerDefinition {
  const { name, enabled, priority, conditions, action, frequencyDays, holdoutPercent } = r;
  return { name, enabled, priority, conditions, action, frequencyDays, holdoutPercent };
}

/** "conditions.1.value: …" → the path and the rest; a message without a path has an empty one. */
function splitProblem(message: string): { path: string; detail: string } {
  const m = /^([\w$]+(?:\.[\w$]+)*): (.*)$/s.exec(message);
  return m ? { path: m[1]!, detail: m[2]! } : { path: "", detail: message };
}

/**
 * The server's refusal: the schema's (English) words, except for what only the server can know —
 * a segment or operator that is no longer the site's — which is said in the operator's language.
 */
function serverProblem(message: string): { path: string; detail: string } {
  const p = splitProblem(message);
  if (p.path.endsWith(".segmentId")) return { path: p.path, detail: t("eng_segmentGone") };
  if (p.path === "action.from.operatorId") return { path: p.path, detail: t("eng_operatorGone") };
  return p;
}

const CURRENCIES = ["EUR", "PLN", "USD", "GBP", "SEK", "NOK", "DKK", "CZK", "CHF", "RUB"];

interface EditorProps {
  siteId: string;
  siteName: string;
  /** The stored trigger being edited, or null for a new one (`initial` then holds the draft). */
  stored: TriggerRecord | null;
  initial: TriggerDefinition;
  readOnly: boolean;
  team: TeamMember[];
  segments: Segment[];
  accent: string;
  branding: Branding;
  onSaved: (r: TriggerRecord) => void;
  onClose: () => void;
}

export function TriggerEditor(props: EditorProps) {
  const { readOnly, team, segments } = props;
  const [d, setD] = useState<TriggerDefinition>(props.initial);
  const [problem, setProblem] = useState<{ path: string; detail: string } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [lang, setLang] = useState<Lang>(currentLang());
  const [cartTotal, setCartTotal] = useState<number | null>(null);
  // The editor opens where the keyboard was (the list's button is gone): its first field takes the focus.
  useEffect(() => {
    (document.getElementById(readOnly ? "trg-editor-title" : "f-name") as HTMLElement | null)?.focus();
  }, []);
  // After a problem is shown, the field it names takes the focus (keyboard and screen readers).
  useEffect(() => {
    if (problem) (document.querySelector(".trg-editor [aria-invalid=true]") as HTMLElement | null)?.focus();
  }, [problem]);

  let claimed = false;
  /** The paths of the fields rendered (a problem on one of them is shown there, not on its row). */
  const claimedPaths = new Set<string>();
  /** Attributes for the field at `path`: marked invalid and described by its problem. */
  const field = (path: string) => {
    const bad = problem?.path === path;
    if (bad) claimed = true;
    claimedPaths.add(path);
    const id = `f-${path.replace(/\./g, "-")}`;
    return { id, "aria-invalid": bad ? ("true" as const) : undefined, "aria-describedby": bad ? `${id}-problem` : undefined };
  };
  const problemAt = (path: string) =>
    problem?.path === path ? (
      <p class="error small field-problem" id={`f-${path.replace(/\./g, "-")}-problem`}>
        {t("eng_invalidHere", { detail: problem.detail })}
      </p>
    ) : null;
  /** A problem on a whole row ("conditions.2") or its parts nobody rendered: shown on the row. */
  const rowProblem = (path: string) => {
    if (!problem || (problem.path !== path && !problem.path.startsWith(`${path}.`)) || claimedPaths.has(problem.path)) return null;
    claimed = true;
    return (
      <p class="error small field-problem" role="alert">
        {t("eng_invalidHere", { detail: problem.detail })}
      </p>
    );
  };
  const labelled = (path: string, label: string, control: ComponentChildren) => (
    <div class="trg-field">
      <label for={`f-${path.replace(/\./g, "-")}`}>{label}</label>
      {control}
      {problemAt(path)}
    </div>
  );
  /** A labelled choice of fixed values (the condition and offer fields' selects). */
  const picklist = <T extends string>(
    path: string,
    label: string,
    value: T,
    options: readonly T[],
    word: (o: T) => string,
    onPick: (o: T) => void,
  ) =>
    labelled(
      path,
      label,
      <select {...field(path)} value={value} onChange={(e) => onPick(e.currentTarget.value as T)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {word(o)}
          </option>
        ))}
      </select>,
    );

  const setCondition = (i: number, c: TriggerCondition) => setD({ ...d, conditions: d.conditions.map((x, j) => (j === i ? c : x)) });
  const setOffer = (offer: TriggerOffer | undefined) => {
    const { offer: _, ...rest } = d.action;
    setD({ ...d, action: offer ? { ...rest, offer } : rest });
  };
  const num = (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement).value;
    return value === "" ? Number.NaN : Number(value);
  };

  const conditionInputs = (c: TriggerCondition, i: number) => {
    const p = `conditions.${i}`;
    switch (c.type) {
      case "page":
        return (
          <>
            {picklist(
              `${p}.match`,
              t("eng_match"),
              c.match,
              ["equals", "contains", "glob"],
              (m) => t(`match_${m}`),
              (v) => setCondition(i, { ...c, match: v }),
            )}
            {labelled(
              `${p}.value`,
              t("eng_value"),
              <input
                {...field(`${p}.value`)}
                value={c.value}
                placeholder="/cart"
                onInput={(e) => setCondition(i, { ...c, value: e.currentTarget.value })}
              />,
            )}
          </>
        );
      case "timeOnPage":
        return labelled(
          `${p}.seconds`,
          t("eng_seconds"),
          <input
            {...field(`${p}.seconds`)}
            type="number"
            min={1}
            max={3600}
            value={c.seconds}
            onInput={(e) => setCondition(i, { ...c, seconds: num(e) })}
          />,
        );
      case "longerThanUsual":
        return (
          <>
            {labelled(
              `${p}.minSeconds`,
              t("eng_minSeconds"),
              <input
                {...field(`${p}.minSeconds`)}
                type="number"
                min={0}
                max={3600}
                value={c.minSeconds}
                onInput={(e) => setCondition(i, { ...c, minSeconds: num(e) })}
              />,
            )}
            <p class="muted small trg-hint">{t("eng_usualHint")}</p>
          </>
        );
      case "visits":
      case "cartItems":
        return labelled(
          `${p}.min`,
          t("eng_atLeast"),
          <input
            {...field(`${p}.min`)}
            type="number"
            min={1}
            max={1000}
            value={c.min}
            onInput={(e) => setCondition(i, { ...c, min: num(e) })}
          />,
        );
      case "visitor":
        return choice(
          `${p}.is`,
          c.is,
          [
            ["new", t("eng_new_")],
            ["returning", t("eng_returning")],
          ],
          (is) => setCondition(i, { ...c, is: is as typeof c.is }),
        );
      case "source":
        return (
          <>
            {picklist(
              `${p}.field`,
              t("eng_field"),
              c.field,
              ["source", "medium", "campaign"],
              (f) => t(`field_${f}`),
              (v) => setCondition(i, { ...c, field: v }),
            )}
            {picklist(
              `${p}.match`,
              t("eng_match"),
              c.match,
              ["equals", "contains"],
              (m) => t(`match_${m}`),
              (v) => setCondition(i, { ...c, match: v }),
            )}
            {labelled(
              `${p}.value`,
              t("eng_value"),
              <input
                {...field(`${p}.value`)}
                value={c.value}
                placeholder="newsletter"
                onInput={(e) => setCondition(i, { ...c, value: e.currentTarget.value })}
              />,
            )}
          </>
        );
      case "device":
        return (
          <fieldset class="trg-checks" {...field(`${p}.in`)}>
            <legend>{t("cond_device")}</legend>
            {(["desktop", "mobile", "tablet"] as const).map((dv) => (
              <label key={dv} class="check">
                <input
                  type="checkbox"
                  checked={c.in.includes(dv)}
                  onChange={(e) => setCondition(i, { ...c, in: e.currentTarget.checked ? [...c.in, dv] : c.in.filter((x) => x !== dv) })}
                />
                {t(`device_${dv}`)}
              </label>
            ))}
            {problemAt(`${p}.in`)}
          </fieldset>
        );
      case "country":
      case "language":
        return (
          <>
            {picklist(
              `${p}.match`,
              t("eng_match"),
              c.match,
              ["in", "notIn"],
              (m) => t(`match_${m}`),
              (v) => setCondition(i, { ...c, match: v }),
            )}
            {labelled(
              `${p}.values`,
              t("eng_codes"),
              <ListInput
                attrs={field(`${p}.values`)}
                values={c.values}
                placeholder={c.type === "country" ? "PL, DE" : "pl, fi"}
                onChange={(values) => setCondition(i, { ...c, values })}
              />,
            )}
          </>
        );
      case "identified":
        return choice(
          `${p}.is`,
          String(c.is),
          [
            ["true", t("eng_yes")],
            ["false", t("eng_no")],
          ],
          (x) => setCondition(i, { ...c, is: x === "true" }),
        );
      case "segment":
        return (
          <>
            {picklist(
              `${p}.match`,
              t("eng_match"),
              c.match,
              ["in", "notIn"],
              (m) => t(`match_${m}`),
              (v) => setCondition(i, { ...c, match: v }),
            )}
            {segments.length === 0 && !c.segmentId ? (
              <p class="muted small trg-hint">{t("eng_noSegments")}</p>
            ) : (
              labelled(
                `${p}.segmentId`,
                t("eng_segmentPick"),
                <select
                  {...field(`${p}.segmentId`)}
                  value={c.segmentId}
                  onChange={(e) => setCondition(i, { ...c, segmentId: e.currentTarget.value })}
                >
                  {segments.some((s) => s.id === c.segmentId) ? null : <option value={c.segmentId}>{c.segmentId}</option>}
                  {segments.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </select>,
              )
            )}
          </>
        );
      case "cartValue":
        return (
          <>
            {labelled(
              `${p}.min`,
              t("eng_atLeast"),
              <input
                {...field(`${p}.min`)}
                type="number"
                min={0}
                step="0.01"
                value={c.min}
                onInput={(e) => setCondition(i, { ...c, min: num(e) })}
              />,
            )}
            {currencyField(`${p}.currency`, c.currency, (currency) => setCondition(i, { ...c, currency }))}
          </>
        );
      case "exitIntent":
        return <p class="muted small trg-hint">{t("eng_exitHint")}</p>;
      case "businessHours":
        return choice(
          `${p}.inside`,
          String(c.inside),
          [
            ["true", t("eng_inside")],
            ["false", t("eng_outside")],
          ],
          (x) => setCondition(i, { ...c, inside: x === "true" }),
        );
      case "operators":
        return choice(
          `${p}.available`,
          String(c.available),
          [
            ["true", t("eng_available")],
            ["false", t("eng_nobody")],
          ],
          (x) => setCondition(i, { ...c, available: x === "true" }),
        );
    }
  };

  function choice(path: string, value: string, options: [string, string][], onChange: (v: string) => void) {
    return labelled(
      path,
      t("eng_value"),
      <select {...field(path)} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map(([k, label]) => (
          <option key={k} value={k}>
            {label}
          </option>
        ))}
      </select>,
    );
  }

  function currencyField(path: string, value: string | undefined, onChange: (c: string) => void) {
    return labelled(
      path,
      t("eng_currency"),
      <input
        {...field(path)}
        list="trg-currencies"
        maxLength={3}
        size={4}
        value={value ?? ""}
        onInput={(e) => onChange(e.currentTarget.value.toUpperCase())}
      />,
    );
  }

  const offer = d.action.offer;
  const offerInputs = () => {
    if (!offer) return null;
    const p = "action.offer";
    if (offer.type === "discount")
      return (
        <>
          {labelled(
            `${p}.code`,
            t("eng_code"),
            <input
              {...field(`${p}.code`)}
              value={offer.code}
              maxLength={40}
              onInput={(e) => setOffer({ ...offer, code: e.currentTarget.value })}
            />,
          )}
          {labelled(
            `${p}.description`,
            t("eng_codeLine"),
            <input
              {...field(`${p}.description`)}
              value={offer.description ?? ""}
              maxLength={120}
              onInput={(e) => {
                const { description: _, ...rest } = offer;
                const text = e.currentTarget.value;
                setOffer(text ? { ...rest, description: text } : rest);
              }}
            />,
          )}
        </>
      );
    if (offer.type === "freeDelivery")
      return (
        <>
          {labelled(
            `${p}.threshold`,
            t("eng_threshold"),
            <input
              {...field(`${p}.threshold`)}
              type="number"
              min={0.01}
              step="0.01"
              value={offer.threshold}
              onInput={(e) => setOffer({ ...offer, threshold: num(e) })}
            />,
          )}
          {currencyField(`${p}.currency`, offer.currency, (currency) => setOffer({ ...offer, currency }))}
          {labelled(
            "preview.cart",
            t("eng_previewCart"),
            <input
              id="f-preview-cart"
              type="number"
              min={0}
              step="0.01"
              value={cartTotal ?? previewCart(offer.threshold)}
              onInput={(e) => setCartTotal(num(e))}
            />,
          )}
        </>
      );
    const { price, currency, imageUrl } = offer;
    const product = (patch: Partial<typeof offer>) => {
      const next = { ...offer, ...patch };
      // Optional fields left empty are left out (the schema refuses an empty link or a price without its currency).
      const out: TriggerOffer = { type: "product", title: next.title, url: next.url };
      if (next.imageUrl) out.imageUrl = next.imageUrl;
      if (next.price !== undefined && !Number.isNaN(next.price)) out.price = next.price;
      if (next.currency) out.currency = next.currency;
      setOffer(out);
    };
    return (
      <>
        {labelled(
          `${p}.title`,
          t("eng_productTitle"),
          <input {...field(`${p}.title`)} value={offer.title} maxLength={120} onInput={(e) => product({ title: e.currentTarget.value })} />,
        )}
        {labelled(
          `${p}.url`,
          t("eng_productUrl"),
          <input {...field(`${p}.url`)} type="url" value={offer.url} onInput={(e) => product({ url: e.currentTarget.value })} />,
        )}
        {labelled(
          `${p}.imageUrl`,
          t("eng_productImage"),
          <input
            {...field(`${p}.imageUrl`)}
            type="url"
            value={imageUrl ?? ""}
            onInput={(e) => product({ imageUrl: e.currentTarget.value || undefined })}
          />,
        )}
        {labelled(
          `${p}.price`,
          t("eng_productPrice"),
          <input
            {...field(`${p}.price`)}
            type="number"
            min={0}
            step="0.01"
            value={price ?? ""}
            onInput={(e) => product({ price: e.currentTarget.value === "" ? undefined : num(e) })}
          />,
        )}
        {currencyField(`${p}.currency`, currency, (c) => product({ currency: c || undefined }))}
      </>
    );
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (readOnly || busy) return;
    setMessage(null);
    const checked = v.safeParse(TriggerDefinition, d);
    if (!checked.success) return setProblem(splitProblem(describeIssue(checked.issues[0])));
    setProblem(null);
    setBusy(true);
    try {
      const r = props.stored
        ? await api.saveTrigger(props.siteId, props.stored.id, checked.output)
        : await api.createTrigger(props.siteId, checked.output);
      props.onSaved(r.trigger);
    } catch (err) {
      if (err instanceof ApiFailure && err.code === "validation_failed") setProblem(serverProblem(err.message));
      else setMessage({ ok: false, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  };

  const restart = async () => {
    if (!props.stored || !confirm(t("eng_confirmRestart"))) return;
    try {
      await api.restartHoldout(props.siteId, props.stored.id);
      setMessage({ ok: true, text: t("eng_restarted") });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };

  const from = d.action.from;
  const operator = from.type === "operator" ? team.find((o) => o.id === from.operatorId) : undefined;
  const sender: Sender = operator ?? { name: props.siteName, avatarUrl: props.branding.logoUrl ?? null };
  const previewCartValue =
    offer?.type === "freeDelivery"
      ? ([cartTotal ?? previewCart(offer.threshold), 1, offer.currency] as [number, number, string])
      : undefined;

  const form = (
    <form class="trg-editor" onSubmit={save} noValidate>
      <h2 id="trg-editor-title" tabIndex={-1}>
        {props.stored ? t("eng_editTitle") : t("eng_newTitle")}
      </h2>
      {readOnly ? <p class="muted">{t("eng_readOnly")}</p> : null}
      <fieldset disabled={readOnly} class="trg-body">
        <div class="trg-row">
          {labelled(
            "name",
            t("eng_name"),
            <input
              {...field("name")}
              value={d.name}
              maxLength={MAX_TRIGGER_NAME_CHARS}
              onInput={(e) => setD({ ...d, name: e.currentTarget.value })}
            />,
          )}
          {labelled(
            "priority",
            t("eng_priority"),
            <input
              {...field("priority")}
              type="number"
              min={0}
              max={100}
              value={d.priority}
              onInput={(e) => setD({ ...d, priority: num(e) })}
            />,
          )}
          <label class="check trg-enabled">
            <input type="checkbox" checked={d.enabled} onChange={(e) => setD({ ...d, enabled: e.currentTarget.checked })} />
            {t("eng_enabled")}
          </label>
        </div>

        <fieldset class="trg-group">
          <legend>{t("eng_conditions")}</legend>
          {d.conditions.length === 0 ? <p class="muted small">{t("eng_noConditions")}</p> : null}
          <ol class="trg-conditions">
            {d.conditions.map((c, i) => (
              <li key={i} class="trg-condition" aria-label={t("eng_conditionN", { n: i + 1 })}>
                <label class="trg-field">
                  <span>{t("eng_conditionType")}</span>
                  <select
                    value={c.type}
                    aria-label={`${t("eng_conditionN", { n: i + 1 })}: ${t("eng_conditionType")}`}
                    onChange={(e) => setCondition(i, newCondition(e.currentTarget.value as TriggerConditionType, segments))}
                  >
                    {CONDITION_TYPES.map((type) => (
                      <option key={type} value={type}>
                        {t(`cond_${type}` as TextKey)}
                      </option>
                    ))}
                  </select>
                </label>
                {conditionInputs(c, i)}
                <button
                  type="button"
                  class="ghost small trg-remove"
                  aria-label={t("eng_removeCondition", { n: i + 1 })}
                  onClick={() => setD({ ...d, conditions: d.conditions.filter((_, j) => j !== i) })}
                >
                  ×
                </button>
                {rowProblem(`conditions.${i}`)}
              </li>
            ))}
          </ol>
          {rowProblem("conditions")}
          <button
            type="button"
            class="ghost small"
            disabled={d.conditions.length >= MAX_TRIGGER_CONDITIONS}
            onClick={() => {
              setD({ ...d, conditions: [...d.conditions, newCondition("page", segments)] });
              // The new row's type picker takes the focus, so the keyboard carries on there.
              setTimeout(() => (document.querySelector(".trg-condition:last-child select") as HTMLElement | null)?.focus());
            }}
          >
            + {t("eng_addCondition")}
          </button>
        </fieldset>

        <fieldset class="trg-group">
          <legend>{t("eng_action")}</legend>
          <div class="trg-from" role="radiogroup" aria-label={t("eng_from")} tabIndex={-1} {...field("action.from.operatorId")}>
            <span class="trg-label">{t("eng_from")}</span>
            <label class="check trg-sender">
              <input
                type="radio"
                name="trg-from"
                checked={from.type === "team"}
                onChange={() => setD({ ...d, action: { ...d.action, from: { type: "team" } } })}
              />
              <Avatar name={props.siteName} url={props.branding.logoUrl} size={28} />
              {t("eng_fromTeam")}
            </label>
            {team.map((o) => (
              <label key={o.id} class="check trg-sender">
                <input
                  type="radio"
                  name="trg-from"
                  checked={from.type === "operator" && from.operatorId === o.id}
                  onChange={() => setD({ ...d, action: { ...d.action, from: { type: "operator", operatorId: o.id } } })}
                />
                <Avatar name={o.name} url={o.avatarUrl} size={28} />
                {o.name}
              </label>
            ))}
            {from.type === "operator" && !operator ? (
              <label class="check trg-sender">
                <input type="radio" name="trg-from" checked />
                {from.operatorId}
              </label>
            ) : null}
            {problemAt("action.from.operatorId")}
          </div>
          {labelled(
            "action.message",
            `${t("eng_message")} (${d.action.message.length}/${MAX_TRIGGER_MESSAGE_CHARS})`,
            <textarea
              {...field("action.message")}
              rows={3}
              maxLength={MAX_TRIGGER_MESSAGE_CHARS}
              value={d.action.message}
              onInput={(e) => setD({ ...d, action: { ...d.action, message: e.currentTarget.value } })}
            />,
          )}
          {labelled(
            "action.offer.type",
            t("eng_offer"),
            <select
              id="f-action-offer-type"
              value={offer?.type ?? ""}
              onChange={(e) => {
                const type = e.currentTarget.value;
                setOffer(
                  type === "discount"
                    ? { type, code: "" }
                    : type === "freeDelivery"
                      ? { type, threshold: 100, currency: "EUR" }
                      : type === "product"
                        ? { type, title: "", url: "" }
                        : undefined,
                );
              }}
            >
              <option value="">{t("offer_none")}</option>
              <option value="discount">{t("offer_discount")}</option>
              <option value="freeDelivery">{t("offer_freeDelivery")}</option>
              <option value="product">{t("offer_product")}</option>
            </select>,
          )}
          <div class="trg-offer">{offerInputs()}</div>
          {rowProblem("action.offer")}
          {rowProblem("action")}
        </fieldset>

        <fieldset class="trg-group">
          <legend>{t("eng_frequency")}</legend>
          <div class="trg-row">
            <label class="check">
              <input type="radio" name="trg-freq" checked={d.frequencyDays === 0} onChange={() => setD({ ...d, frequencyDays: 0 })} />
              {t("eng_oncePerVisit")}
            </label>
            <label class="check">
              <input
                type="radio"
                name="trg-freq"
                checked={d.frequencyDays !== 0}
                onChange={() => setD({ ...d, frequencyDays: d.frequencyDays || 7 })}
              />
              {t("eng_everyNDays")}
            </label>
            {d.frequencyDays !== 0
              ? labelled(
                  "frequencyDays",
                  t("eng_days"),
                  <input
                    {...field("frequencyDays")}
                    type="number"
                    min={1}
                    max={365}
                    value={d.frequencyDays}
                    onInput={(e) => setD({ ...d, frequencyDays: num(e) })}
                  />,
                )
              : null}
          </div>
        </fieldset>

        <fieldset class="trg-group">
          <legend>{t("eng_holdout")}</legend>
          {labelled(
            "holdoutPercent",
            t("eng_holdoutPercent"),
            <input
              {...field("holdoutPercent")}
              type="number"
              min={0}
              max={50}
              value={d.holdoutPercent}
              aria-describedby={problem?.path === "holdoutPercent" ? "f-holdoutPercent-problem" : "trg-holdout-hint"}
              onInput={(e) => setD({ ...d, holdoutPercent: num(e) })}
            />,
          )}
          <p id="trg-holdout-hint" class="muted small trg-hint">
            {t("eng_holdoutHint")}
          </p>
          {props.stored ? (
            <div class="trg-row">
              <button type="button" class="ghost small" onClick={restart} aria-describedby="trg-restart-hint">
                {t("eng_restart")}
              </button>
              <span id="trg-restart-hint" class="muted small">
                {t("eng_restartHint")}
              </span>
            </div>
          ) : null}
        </fieldset>
      </fieldset>
      {problem && !claimed ? (
        <p class="error" role="alert">
          {t("eng_invalidHere", { detail: problem.path ? `${problem.path}: ${problem.detail}` : problem.detail })}
        </p>
      ) : null}
      {message ? (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      <div class="trg-actions">
        {readOnly ? null : (
          <button class="primary" type="submit" disabled={busy}>
            {t("eng_saveTrigger")}
          </button>
        )}
        <button type="button" class="ghost" onClick={props.onClose}>
          {t("eng_back")}
        </button>
      </div>
      <datalist id="trg-currencies">
        {CURRENCIES.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
    </form>
  );

  return (
    <div class="trg-layout">
      {form}
      <aside class="trg-side">
        <label class="trg-field">
          <span>{t("eng_previewLang")}</span>
          <select value={lang} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
            {(Object.keys(LANGUAGES) as Lang[]).map((l) => (
              <option key={l} value={l}>
                {LANGUAGES[l]}
              </option>
            ))}
          </select>
        </label>
        <TeaserPreview
          action={compactAction(d.action, sender)}
          cart={previewCartValue}
          accent={props.accent}
          branding={props.branding}
          lang={lang}
          label={t("eng_preview")}
        />
      </aside>
    </div>
  );
}

/** A cart a little short of the free-delivery threshold, so the preview shows the nudge. */
const previewCart = (threshold: number) => Math.round(threshold * 60) / 100;

/** Codes typed with commas ("PL, DE"); the text stays as typed while the list follows it. */
function ListInput(props: {
  attrs: Record<string, string | undefined>;
  values: string[];
  placeholder: string;
  onChange: (values: string[]) => void;
}) {
  const [text, setText] = useState(props.values.join(", "));
  return (
    <input
      {...props.attrs}
      value={text}
      placeholder={props.placeholder}
      onInput={(e) => {
        setText(e.currentTarget.value);
        props.onChange(
          e.currentTarget.value
            .split(/[,\s]+/)
            .map((x) => x.trim())
            .filter(Boolean),
        );
      }}
    />
  );
}
