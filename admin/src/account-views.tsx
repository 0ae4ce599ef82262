/**
 * The screens before the workspace (issue 14): the deployment's setup link (`#/setup?token=`,
 * the first owner and shop), sign-up (`#/signup`, then "check your email"), opening an emailed
 * link (`#/confirm?token=`), the sign-in's code step for accounts with two-factor sign-in, and
 * the account-mail links: "forgot password" (`#/forgot`), a reset (`#/reset?token=`) and an
 * emailed invitation (`#/invitation?token=`).
 * Each is a card like the sign-in screen; errors are shown in the operator's language.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { InvitationPreview, MeResponse } from "../../protocol";
import { api } from "./api";
import { errorText } from "./error-text";
import { t } from "./i18n";
import { LanguagePicker } from "./language-picker";

/** The hash's query (`#/setup?token=…`). */
export function hashParam(name: string): string {
  const q = location.hash.indexOf("?");
  return q < 0 ? "" : (new URLSearchParams(location.hash.slice(q + 1)).get(name) ?? "");
}

function Card({ title, children, onSubmit }: { title: string; children: ComponentChildren; onSubmit?: (e: Event) => void }) {
  return (
    <main class="login">
      <form class="login-card" onSubmit={onSubmit ?? ((e) => e.preventDefault())}>
        <div class="brand">
          <span class="logo">G</span> Gadka
        </div>
        <h1>{title}</h1>
        {children}
        <LanguagePicker />
      </form>
    </main>
  );
}

function Field(props: {
  label: string;
  type?: "text" | "email" | "password";
  value: string;
  onInput: (v: string) => void;
  autocomplete?: string;
  hint?: string;
}) {
  const id = `f-${props.label.replace(/\W+/g, "-")}`;
  return (
    <label>
      {props.label}
      <input
        // One field component for three input types; Preact types each type apart.
        type={(props.type ?? "text") as "text"}
        required
        minLength={props.type === "password" && props.autocomplete === "new-password" ? 8 : undefined}
        autocomplete={props.autocomplete}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.hint ? (
        <span id={`${id}-hint`} class="muted small">
          {props.hint}
        </span>
      ) : null}
    </label>
  );
}

function useSubmit<T>(run: () => Promise<T>, done: (r: T) => void, specific: Parameters<typeof errorText>[1] = {}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      done(await run());
    } catch (err) {
      setError(errorText(err, specific));
    } finally {
      setBusy(false);
    }
  };
  const message = error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
  return { busy, submit, message };
}

/** `#/setup?token=`: the first owner and their shop. */
export function SetupView({ onSignedIn }: { onSignedIn: (me: MeResponse) => void }) {
  const token = hashParam("token");
  const [usable, setUsable] = useState<boolean | null>(null);
  const [f, setF] = useState({ name: "", email: "", password: "", siteName: "" });
  useEffect(
    () =>
      void api.setupUsable(token).then(
        (r) => setUsable(r.usable),
        () => setUsable(false),
      ),
    [token],
  );
  const { busy, submit, message } = useSubmit(() => api.setup({ token, ...f }), onSignedIn, { bad_token: t("setupLinkUsed") });
  if (usable === null) return <div class="boot" aria-busy="true" />;
  if (!usable) {
    return (
      <Card title={t("setupTitle")}>
        <p class="error" role="alert">
          {t("setupLinkUsed")}
        </p>
        <a href="#/login">{t("signIn")}</a>
      </Card>
    );
  }
  return (
    <Card title={t("setupTitle")} onSubmit={submit}>
      <p class="muted">{t("setupIntro")}</p>
      <Field label={t("yourName")} value={f.name} autocomplete="name" onInput={(name) => setF({ ...f, name })} />
      <Field label={t("email")} type="email" value={f.email} autocomplete="username" onInput={(email) => setF({ ...f, email })} />
      <Field
        label={t("password")}
        type="password"
        value={f.password}
        autocomplete="new-password"
        hint={t("passwordRule")}
        onInput={(password) => setF({ ...f, password })}
      />
      <Field label={t("shopName")} value={f.siteName} autocomplete="organization" onInput={(siteName) => setF({ ...f, siteName })} />
      {message}
      <button class="primary" type="submit" disabled={busy}>
        {t("createOwner")}
      </button>
    </Card>
  );
}

/** `#/signup`: an account waiting for its emailed confirmation. */
export function SignupView() {
  const [mode, setMode] = useState<"open" | "invite" | null>(null);
  const [f, setF] = useState({ name: "", email: "", password: "" });
  const [sent, setSent] = useState(false);
  useEffect(
    () =>
      void api.signupMode().then(
        (r) => setMode(r.signup),
        () => setMode("invite"),
      ),
    [],
  );
  const { busy, submit, message } = useSubmit(
    () => api.signup(f),
    () => setSent(true),
    { signup_closed: t("signupClosed") },
  );
  if (mode === null) return <div class="boot" aria-busy="true" />;
  if (mode === "invite" || sent) {
    return (
      <Card title={sent ? t("checkEmailTitle") : t("signUpTitle")}>
        <p role="status">{sent ? t("checkEmail", { email: f.email }) : t("signupClosed")}</p>
        {sent ? <DevMailLink /> : null}
        <a href="#/login">{t("signIn")}</a>
      </Card>
    );
  }
  return (
    <Card title={t("signUpTitle")} onSubmit={submit}>
      <Field label={t("yourName")} value={f.name} autocomplete="name" onInput={(name) => setF({ ...f, name })} />
      <Field label={t("email")} type="email" value={f.email} autocomplete="username" onInput={(email) => setF({ ...f, email })} />
      <Field
        label={t("password")}
        type="password"
        value={f.password}
        autocomplete="new-password"
        hint={t("passwordRule")}
        onInput={(password) => setF({ ...f, password })}
      />
      {message}
      <button class="primary" type="submit" disabled={busy}>
        {t("signUp")}
      </button>
      <p class="small">
        {t("haveAccount")} <a href="#/login">{t("signIn")}</a>
      </p>
    </Card>
  );
}

/** `#/confirm?token=`: opens the emailed link once, then signs in (sign-up) or says the email changed. */
export function ConfirmView({ onSignedIn }: { onSignedIn: (me: MeResponse) => void }) {
  const [state, setState] = useState<"busy" | "changed" | string>("busy");
  useEffect(() => {
    api.confirm(hashParam("token")).then(
      (r) => ("emailChanged" in r ? setState("changed") : onSignedIn(r)),
      (err) => setState(errorText(err, { bad_token: t("linkExpired"), conflict: t("emailTaken") })),
    );
  }, []);
  if (state === "busy") return <div class="boot" aria-busy="true" />;
  return (
    <Card title={t("confirmTitle")}>
      <p role={state === "changed" ? "status" : "alert"} class={state === "changed" ? "ok" : "error"}>
        {state === "changed" ? t("emailChanged") : state}
      </p>
      <a href="#/login">{t("signIn")}</a>
    </Card>
  );
}

/** The sign-in's second step: a code from the app, or a recovery code. */
export function TwoFactorStep({
  challenge,
  onSignedIn,
  onBack,
}: {
  challenge: string;
  onSignedIn: (me: MeResponse) => void;
  onBack: () => void;
}) {
  const [code, setCode] = useState("");
  const { busy, submit, message } = useSubmit(() => api.loginCode(challenge, code), onSignedIn, {
    bad_code: t("wrongCode"),
    bad_token: t("signInAgain"),
  });
  return (
    <Card title={t("twoFactorTitle")} onSubmit={submit}>
      <p class="muted">{t("twoFactorPrompt")}</p>
      <label>
        {t("code")}
        <input
          required
          autocomplete="one-time-code"
          inputMode="text"
          autoFocus
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
      </label>
      {message}
      <button class="primary" type="submit" disabled={busy}>
        {t("verify")}
      </button>
      <button type="button" class="ghost small" onClick={onBack}>
        {t("back")}
      </button>
    </Card>
  );
}

/** Development only: the link to the account emails' log on the "check your email" screens. */
function DevMailLink() {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(
    () =>
      void api.signupMode().then(
        (r) => setUrl(r.devMail ?? null),
        () => {},
      ),
    [],
  );
  return url ? (
    <p class="small muted">
      {t("devMailLink")}: <a href={url}>{url}</a>
    </p>
  ) : null;
}

/** `#/forgot`: asks for a reset link; the same answer whether or not the email has an account. */
export function ForgotView() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const { busy, submit, message } = useSubmit(
    () => api.requestPasswordReset(email),
    () => setSent(true),
  );
  if (sent) {
    return (
      <Card title={t("checkEmailTitle")}>
        <p role="status">{t("resetSent", { email })}</p>
        <DevMailLink />
        <a href="#/login">{t("signIn")}</a>
      </Card>
    );
  }
  return (
    <Card title={t("forgotTitle")} onSubmit={submit}>
      <p class="muted">{t("forgotIntro")}</p>
      <Field label={t("email")} type="email" value={email} autocomplete="username" onInput={setEmail} />
      {message}
      <button class="primary" type="submit" disabled={busy}>
        {t("sendResetLink")}
      </button>
      <p class="small">
        <a href="#/login">{t("back")}</a>
      </p>
    </Card>
  );
}

/** `#/reset?token=`: the new password; every session ends, then the operator signs in again. */
export function ResetView() {
  const token = hashParam("token");
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const { busy, submit, message } = useSubmit(
    () => api.resetPassword(token, password),
    () => setDone(true),
    { bad_token: t("resetLinkBad") },
  );
  if (done) {
    return (
      <Card title={t("resetTitle")}>
        <p role="status" class="ok">
          {t("resetDone")}
        </p>
        <a href="#/login">{t("signIn")}</a>
      </Card>
    );
  }
  return (
    <Card title={t("resetTitle")} onSubmit={submit}>
      <Field
        label={t("newPasswordLabel")}
        type="password"
        value={password}
        autocomplete="new-password"
        hint={t("passwordRule")}
        onInput={setPassword}
      />
      {message}
      <button class="primary" type="submit" disabled={busy}>
        {t("setNewPassword")}
      </button>
      <p class="small">
        <a href="#/forgot">{t("forgotPassword")}</a>
      </p>
    </Card>
  );
}

const INVITATION_ERRORS = {
  bad_token: "invitationInvalid",
  invitation_expired: "invitationExpired",
  invitation_used: "invitationUsed",
  invitation_revoked: "invitationRevoked",
} as const;

/**
 * `#/invitation?token=`: what the emailed invitation offers. A new address sets its name,
 * password (and a photo link); an existing account signs in as the invited address and accepts
 * explicitly; signed in as someone else, it is told to sign out first.
 */
export function InvitationView({ me, onSignedIn }: { me: MeResponse | null; onSignedIn: (me: MeResponse) => void }) {
  const token = hashParam("token");
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [f, setF] = useState({ name: "", password: "", avatarUrl: "" });
  useEffect(
    () =>
      void api.invitation(token).then(
        (p) => {
          setPreview(p);
          setF((old) => ({ ...old, name: p.suggestedName ?? "" }));
        },
        (err) => setFailure(errorText(err, Object.fromEntries(Object.entries(INVITATION_ERRORS).map(([k, v]) => [k, t(v)])))),
      ),
    [token],
  );
  const { busy, submit, message } = useSubmit(
    () =>
      api.acceptInvitationLink(
        preview?.hasAccount
          ? { token }
          : { token, name: f.name, password: f.password, ...(f.avatarUrl.trim() ? { avatarUrl: f.avatarUrl.trim() } : {}) },
      ),
    onSignedIn,
    {
      ...Object.fromEntries(Object.entries(INVITATION_ERRORS).map(([k, v]) => [k, t(v)])),
      wrong_account: preview && me ? t("invitationWrongAccount", { me: me.operator.email, email: preview.email }) : undefined,
    },
  );
  if (failure) {
    return (
      <Card title={t("invitationsTitle")}>
        <p class="error" role="alert">
          {failure}
        </p>
        <a href="#/login">{t("signIn")}</a>
      </Card>
    );
  }
  if (!preview) return <div class="boot" aria-busy="true" />;
  const values = { shop: preview.siteName, email: preview.email, role: t(preview.role), inviter: preview.invitedByName ?? "" };
  const intro = <p>{t(preview.invitedByName ? "invitationIntro" : "invitationIntroAnonymous", values)}</p>;
  const signOut = async () => {
    await api.logout().catch(() => {});
    location.reload();
  };
  if (me && me.operator.email.toLowerCase() !== preview.email.toLowerCase()) {
    return (
      <Card title={t("invitationTitle", values)}>
        {intro}
        <p class="error" role="alert">
          {t("invitationWrongAccount", { me: me.operator.email, email: preview.email })}
        </p>
        <button type="button" class="primary" onClick={signOut}>
          {t("signOut")}
        </button>
      </Card>
    );
  }
  if (preview.hasAccount && !me) {
    const back = encodeURIComponent(location.hash);
    return (
      <Card title={t("invitationTitle", values)}>
        {intro}
        <p role="status">{t("invitationSignIn", { email: preview.email })}</p>
        <a class="button primary" href={`#/login?next=${back}`}>
          {t("signIn")}
        </a>
      </Card>
    );
  }
  return (
    <Card title={t("invitationTitle", values)} onSubmit={submit}>
      {intro}
      {preview.hasAccount ? null : (
        <>
          <p class="muted">{t("invitationNewAccount")}</p>
          <label>
            {t("email")}
            <input type="email" value={preview.email} readOnly autocomplete="username" />
          </label>
          <Field label={t("yourName")} value={f.name} autocomplete="name" onInput={(name) => setF({ ...f, name })} />
          <Field
            label={t("password")}
            type="password"
            value={f.password}
            autocomplete="new-password"
            hint={t("passwordRule")}
            onInput={(password) => setF({ ...f, password })}
          />
          <label>
            {t("photoUrl")}
            <input type="url" value={f.avatarUrl} onInput={(e) => setF({ ...f, avatarUrl: e.currentTarget.value })} />
          </label>
        </>
      )}
      {message}
      <button class="primary" type="submit" disabled={busy}>
        {t("acceptInvitation")}
      </button>
    </Card>
  );
}
