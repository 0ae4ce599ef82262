/**
 * The sign-in screen. Shows the server's reason in the operator's language (wrong password,
 * throttled with the wait, no network); an account with two-factor sign-in continues with the
 * code step.
 */
import { useState } from "preact/hooks";
import type { MeResponse } from "../../protocol";
import { TwoFactorStep } from "./account-views";
import { ApiFailure, api } from "./api";
import { errorText } from "./error-text";
import { t } from "./i18n";
import { LanguagePicker } from "./language-picker";

export function LoginView({ onSignedIn }: { onSignedIn: (me: MeResponse) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [challenge, setChallenge] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.login(email, password);
      if ("secondStep" in r) setChallenge(r.secondStep.challenge);
      else onSignedIn(r);
    } catch (err) {
      const wait = err instanceof ApiFailure ? (err.retryAfter ?? 900) : 900;
      setError(
        errorText(err, {
          validation_failed: t("badCredentials"),
          too_many_attempts: t("throttled", { minutes: Math.ceil(wait / 60) }),
          rate_limited: t("throttled", { minutes: Math.ceil(wait / 60) }),
        }),
      );
    } finally {
      setBusy(false);
    }
  };

  if (challenge) return <TwoFactorStep challenge={challenge} onSignedIn={onSignedIn} onBack={() => setChallenge(null)} />;
  return (
    <main class="login">
      <form class="login-card" onSubmit={submit}>
        <div class="brand">
          <span class="logo">G</span> Gadka
        </div>
        <h1>{t("signInTitle")}</h1>
        <label>
          {t("email")}
          <input type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          {t("password")}
          <input
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? t("signingIn") : t("signIn")}
        </button>
        <p class="small">
          <a href="#/forgot">{t("forgotPassword")}</a>
        </p>
        <p class="small">
          {t("noAccount")} <a href="#/signup">{t("signUp")}</a>
        </p>
        <LanguagePicker />
      </form>
    </main>
  );
}
