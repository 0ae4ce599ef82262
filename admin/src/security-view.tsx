/**
 * My account's security (`#/security`): two-factor sign-in (enrol with a QR code and the secret,
 * confirm with a code, the recovery codes shown once; turn off with the password and a code),
 * a new password (other sessions end), a new email (confirmed through a link mailed to it),
 * the signed-in sessions with "sign out everywhere else", and — for the shop's owners — "require
 * two-factor sign-in" for everyone on it. When a shop requires it and the operator has not
 * enrolled, this is the page they are sent to.
 */
import { useEffect, useState } from "preact/hooks";
import type { MeResponse, SessionInfo, SiteMembership, TwoFactorEnrolResponse } from "../../protocol";
import { api } from "./api";
import { errorText } from "./error-text";
import { t } from "./i18n";
import { formatDateTime } from "./i18n/format";

type Message = { ok: boolean; text: string } | null;

function Note({ m }: { m: Message }) {
  return m ? (
    <p class={m.ok ? "ok" : "error"} role={m.ok ? "status" : "alert"}>
      {m.text}
    </p>
  ) : null;
}

export function SecurityView({ me, site, onMeChanged }: { me: MeResponse; site: SiteMembership | null; onMeChanged: () => Promise<void> }) {
  return (
    <section class="security">
      <h1>{t("securityTitle")}</h1>
      {me.twoFactor.requiredBy.length > 0 && !me.twoFactor.enabled ? (
        <p class="warning" role="alert">
          {t("twoFactorRequiredBy", { shops: me.twoFactor.requiredBy.join(", ") })}
        </p>
      ) : null}
      <TwoFactorCard me={me} onMeChanged={onMeChanged} />
      {site?.role === "owner" && me.twoFactor.enabled ? <RequireCard site={site} /> : null}
      <PasswordCard />
      <EmailCard />
      <SessionsCard />
    </section>
  );
}

function TwoFactorCard({ me, onMeChanged }: { me: MeResponse; onMeChanged: () => Promise<void> }) {
  const [enrol, setEnrol] = useState<(TwoFactorEnrolResponse & { svg: string }) | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [m, setM] = useState<Message>(null);
  const start = async () => {
    setM(null);
    try {
      const r = await api.enrolTwoFactor();
      const { qrSvg } = await import("./qr");
      setEnrol({ ...r, svg: qrSvg(r.otpauthUri, t("qrLabel")) });
    } catch (err) {
      setM({ ok: false, text: errorText(err) });
    }
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    try {
      setCodes((await api.confirmTwoFactor(code)).recoveryCodes);
      setEnrol(null);
      setCode("");
      await onMeChanged();
    } catch (err) {
      setM({ ok: false, text: errorText(err, { bad_code: t("wrongCode") }) });
    }
  };
  const disable = async (e: Event) => {
    e.preventDefault();
    try {
      await api.disableTwoFactor(password, code);
      setPassword("");
      setCode("");
      setM({ ok: true, text: t("twoFactorOff") });
      await onMeChanged();
    } catch (err) {
      setM({ ok: false, text: errorText(err, { bad_code: t("wrongCode") }) });
    }
  };
  return (
    <div class="card">
      <h2>{t("twoFactorTitle")}</h2>
      {codes ? (
        <div class="recovery">
          <p role="status">{t("recoveryCodesOnce")}</p>
          <ul class="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <button type="button" class="ghost small" onClick={() => setCodes(null)}>
            {t("recoverySaved")}
          </button>
        </div>
      ) : me.twoFactor.enabled ? (
        <form class="stack" onSubmit={disable}>
          <p class="ok">{t("twoFactorOn")}</p>
          <label>
            {t("password")}
            <input
              type="password"
              required
              autocomplete="current-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          <label>
            {t("code")}
            <input required autocomplete="one-time-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <button type="submit" class="ghost">
            {t("turnOffTwoFactor")}
          </button>
        </form>
      ) : enrol ? (
        <form class="stack" onSubmit={confirm}>
          <p>{t("scanQr")}</p>
          {/* qrSvg's markup carries only numbers, path letters and an escaped label. */}
          <div class="qr" dangerouslySetInnerHTML={{ __html: enrol.svg }} />
          <p class="small">
            {t("orEnterSecret")} <code class="secret">{enrol.secret}</code>
          </p>
          <label>
            {t("code")}
            <input required inputMode="numeric" autocomplete="one-time-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary">
            {t("verify")}
          </button>
        </form>
      ) : (
        <>
          <p class="muted">{t("twoFactorExplain")}</p>
          <button type="button" class="primary" onClick={start}>
            {t("turnOnTwoFactor")}
          </button>
        </>
      )}
      <Note m={m} />
    </div>
  );
}

function RequireCard({ site }: { site: SiteMembership }) {
  const [on, setOn] = useState<boolean | null>(null);
  const [m, setM] = useState<Message>(null);
  useEffect(
    () =>
      void api.siteSecurity(site.id).then(
        (r) => setOn(r.requireTwoFactor),
        () => {},
      ),
    [site.id],
  );
  if (on === null) return null;
  return (
    <div class="card">
      <h2>{t("requireTwoFactorTitle", { shop: site.name })}</h2>
      <label class="check">
        <input
          type="checkbox"
          checked={on}
          onChange={async (e) => {
            const next = e.currentTarget.checked;
            try {
              setOn((await api.setSiteSecurity(site.id, next)).requireTwoFactor);
              setM({ ok: true, text: t("saved") });
            } catch (err) {
              setM({ ok: false, text: errorText(err) });
            }
          }}
        />
        {t("requireTwoFactor")}
      </label>
      <Note m={m} />
    </div>
  );
}

function PasswordCard() {
  const [f, setF] = useState({ current: "", next: "" });
  const [m, setM] = useState<Message>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api.changePassword(f.current, f.next);
      setF({ current: "", next: "" });
      setM({ ok: true, text: t("passwordChanged") });
    } catch (err) {
      setM({ ok: false, text: errorText(err, { bad_credentials: t("wrongPassword") }) });
    }
  };
  return (
    <form class="card stack" onSubmit={submit}>
      <h2>{t("changePassword")}</h2>
      <label>
        {t("currentPassword")}
        <input
          type="password"
          required
          autocomplete="current-password"
          value={f.current}
          onInput={(e) => setF({ ...f, current: e.currentTarget.value })}
        />
      </label>
      <label>
        {t("newPassword")}
        <input
          type="password"
          required
          minLength={8}
          autocomplete="new-password"
          value={f.next}
          onInput={(e) => setF({ ...f, next: e.currentTarget.value })}
        />
      </label>
      <button type="submit" class="ghost">
        {t("changePassword")}
      </button>
      <Note m={m} />
    </form>
  );
}

function EmailCard() {
  const [f, setF] = useState({ email: "", password: "" });
  const [m, setM] = useState<Message>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api.changeEmail(f.password, f.email);
      setM({ ok: true, text: t("checkEmail", { email: f.email }) });
      setF({ email: "", password: "" });
    } catch (err) {
      setM({ ok: false, text: errorText(err, { bad_credentials: t("wrongPassword") }) });
    }
  };
  return (
    <form class="card stack" onSubmit={submit}>
      <h2>{t("changeEmail")}</h2>
      <label>
        {t("newEmail")}
        <input type="email" required value={f.email} onInput={(e) => setF({ ...f, email: e.currentTarget.value })} />
      </label>
      <label>
        {t("currentPassword")}
        <input
          type="password"
          required
          autocomplete="current-password"
          value={f.password}
          onInput={(e) => setF({ ...f, password: e.currentTarget.value })}
        />
      </label>
      <button type="submit" class="ghost">
        {t("changeEmail")}
      </button>
      <Note m={m} />
    </form>
  );
}

function SessionsCard() {
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [m, setM] = useState<Message>(null);
  const load = () =>
    api.sessions().then(
      (r) => setSessions(r.sessions),
      () => {},
    );
  useEffect(() => void load(), []);
  return (
    <div class="card">
      <h2>{t("sessionsTitle")}</h2>
      <ul class="sessions">
        {(sessions ?? []).map((s) => (
          <li key={s.id}>
            <span>{s.userAgent ? browserOf(s.userAgent) : t("unknownBrowser")}</span>
            <span class="muted small">{t("signedInAt", { when: formatDateTime(s.createdAt) })}</span>
            {s.current ? <strong class="small">{t("thisBrowser")}</strong> : null}
          </li>
        ))}
      </ul>
      <button
        type="button"
        class="ghost"
        disabled={!sessions || sessions.length < 2}
        onClick={async () => {
          try {
            const r = await api.endOtherSessions();
            setM({ ok: true, text: t("sessionsEnded", { count: r.ended }) });
            await load();
          } catch (err) {
            setM({ ok: false, text: errorText(err) });
          }
        }}
      >
        {t("signOutEverywhere")}
      </button>
      <Note m={m} />
    </div>
  );
}

/** "Chrome on Windows" from a User-Agent, roughly; the full string is in the title. */
function browserOf(ua: string): string {
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrome\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "Browser";
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Android/.test(ua)
      ? "Android"
      : /iPhone|iPad/.test(ua)
        ? "iOS"
        : /Mac OS/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : "";
  return os ? `${browser} · ${os}` : browser;
}
