/**
 * The screens before the workspace (issue 14): the deployment's setup link (`#/setup?token=`,
 * the first owner and shop), sign-up (`#/signup`, then "check your email"), opening an emailed
 * link (`#/confirm?token=`), and the sign-in's code step for accounts with two-factor sign-in.
 * Each is a card like the sign-in screen; errors are shown in the operator's language.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { MeResponse } from "../../protocol";
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
