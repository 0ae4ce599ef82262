/**
 * The first-run set-up wizard (`#/welcome`; skippable at every step): the shop's name and
 * address (for an account without a shop this creates it), the widget's colour and the owner's
 * photo, the allowed domains (prefilled from the address, with "allow localhost for testing"),
 * colleagues to add, and the install step — the snippet with a copy button, short guides, and a
 * live check that polls the install status until the first page view from the shop arrives.
 */
import { useEffect, useState } from "preact/hooks";
import * as v from "valibot";
import { AllowedOrigin, type InstallStatusResponse, ShopUrl, type SiteMembership } from "../../protocol";
import { hashParam } from "./account-views";
import { api } from "./api";
import { errorText } from "./error-text";
import { t } from "./i18n";

const STEPS = ["stepShop", "stepLook", "stepDomains", "stepTeam", "stepInstall"] as const;
const POLL_MS = 2000;
const LOCALHOST = ["http://localhost", "http://127.0.0.1"];

/** The allowed domain a typed shop address implies (the same rule as the server's). */
export function originOf(url: string): string | null {
  const parsed = v.safeParse(ShopUrl, url);
  if (!parsed.success) return null;
  try {
    return new URL(parsed.output).origin.replace(/^http:/, "https:").replace(/^https:\/\/(localhost|127\.0\.0\.1)/, "http://$1");
  } catch {
    return null;
  }
}

/** The two lines a shop pastes before `</body>`. */
export function snippetOf(widgetUrl: string, publicKey: string): string {
  return `<script>window.Gadka=window.Gadka||function(){(Gadka.q=Gadka.q||[]).push(arguments)};</script>\n<script async src="${widgetUrl}" data-site="${publicKey}"></script>`;
}

export function SetupWizard({ site, onMeChanged }: { site: SiteMembership | null; onMeChanged: (siteId?: string) => Promise<void> }) {
  const [step, setStep] = useState(() => (site ? Math.min(Number(hashParam("step")) || 0, STEPS.length - 1) : 0));
  const [status, setStatus] = useState<InstallStatusResponse | null>(null);
  const [name, setName] = useState(site?.name ?? "");
  const [url, setUrl] = useState("");
  const [color, setColor] = useState("#4f46e5");
  const [origins, setOrigins] = useState("");
  const [allowLocal, setAllowLocal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!site) return;
    api.install(site.id).then((s) => {
      setStatus(s);
      setName(s.name);
      setUrl(s.url ?? "");
    });
    api.settings(site.id).then((s) => {
      setColor(s.accentColor);
      setOrigins(s.allowedOrigins.filter((o) => !LOCALHOST.includes(o)).join("\n"));
      setAllowLocal(s.allowedOrigins.some((o) => LOCALHOST.includes(o)));
    });
  }, [site?.id]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setStep((s) => s + 1);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const saveShop = () => {
    const origin = url.trim() ? originOf(url) : null;
    if (url.trim() && !origin) return setError(t("shopUrlInvalid"));
    return run(async () => {
      if (!site) {
        const created = await api.createSite(name, url.trim() || undefined);
        await onMeChanged(created.site.id);
        return;
      }
      setStatus(await api.siteProfile(site.id, { name, url: url.trim() || null }));
      if (origin && !origins.trim()) setOrigins(origin);
      await onMeChanged(site.id);
    });
  };
  const saveLook = (e: Event) => {
    e.preventDefault();
    if (!site) return;
    void run(async () => {
      await api.saveSettings(site.id, { accentColor: color });
    });
  };
  const saveDomains = (e: Event) => {
    e.preventDefault();
    if (!site) return;
    const typed = origins.split(/\s+/).filter(Boolean);
    const bad = typed.find((o) => !v.safeParse(AllowedOrigin, o.replace(/\/+$/, "")).success);
    if (bad) return setError(t("originInvalid", { origin: bad }));
    void run(async () => {
      const list = typed.map((o) => o.replace(/\/+$/, "").toLowerCase());
      await api.saveSettings(site.id, { allowedOrigins: [...new Set([...list, ...(allowLocal ? LOCALHOST : [])])] });
    });
  };

  const skip = () => {
    location.hash = "#/inbox";
  };
  const title = t(STEPS[step] ?? "stepInstall");
  return (
    <section class="wizard" aria-labelledby="wizard-title">
      <ol class="wizard-steps">
        {STEPS.map((key, i) => (
          <li key={key} class={i === step ? "on" : i < step ? "done" : ""} aria-current={i === step ? "step" : undefined}>
            {t(key)}
          </li>
        ))}
      </ol>
      <h1 id="wizard-title">{title}</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {step === 0 ? (
        <form
          class="wizard-form"
          onSubmit={(e) => {
            e.preventDefault();
            void saveShop();
          }}
        >
          <p class="muted">{site ? t("wizardIntro") : t("wizardNewShop")}</p>
          <label>
            {t("shopName")}
            <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            {t("shopUrl")}
            <input inputMode="url" placeholder="shop.example.com" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
          </label>
          <Nav busy={busy} onSkip={site ? skip : null} />
        </form>
      ) : step === 1 && site ? (
        <form class="wizard-form" onSubmit={saveLook}>
          <label class="color-field">
            {t("accentColor")}
            <input type="color" value={color} onInput={(e) => setColor(e.currentTarget.value)} />
          </label>
          <label>
            {t("wizardPhoto")}
            <input
              type="file"
              accept="image/png,image/jpeg,image/webp"
              onChange={async (e) => {
                const file = e.currentTarget.files?.[0];
                if (!file) return;
                await api.uploadMyAvatar(file).then(
                  () => onMeChanged(site.id),
                  (err) => setError(errorText(err)),
                );
              }}
            />
          </label>
          <p class="muted small">{t("wizardPhotoHint")}</p>
          <Nav busy={busy} onSkip={skip} onBack={() => setStep(0)} />
        </form>
      ) : step === 2 && site ? (
        <form class="wizard-form" onSubmit={saveDomains}>
          <label>
            {t("allowedOrigins")}
            <textarea
              rows={3}
              spellcheck={false}
              placeholder="https://shop.example"
              value={origins}
              onInput={(e) => setOrigins(e.currentTarget.value)}
            />
          </label>
          <p class="muted small">{t("wizardDomainsHint")}</p>
          <label class="check">
            <input type="checkbox" checked={allowLocal} onChange={(e) => setAllowLocal(e.currentTarget.checked)} />
            {t("allowLocalhost")}
          </label>
          <Nav busy={busy} onSkip={skip} onBack={() => setStep(1)} />
        </form>
      ) : step === 3 && site ? (
        <TeamStep site={site} onNext={() => setStep(4)} onBack={() => setStep(2)} onSkip={skip} />
      ) : site && status ? (
        <InstallStep site={site} status={status} onDone={skip} onBack={() => setStep(3)} />
      ) : (
        <div aria-busy="true" />
      )}
    </section>
  );
}

function Nav({ busy, onSkip, onBack }: { busy: boolean; onSkip: (() => void) | null; onBack?: () => void }) {
  return (
    <div class="wizard-nav">
      {onBack ? (
        <button type="button" class="ghost" onClick={onBack}>
          {t("back")}
        </button>
      ) : null}
      <button class="primary" type="submit" disabled={busy}>
        {t("next")}
      </button>
      {onSkip ? (
        <button type="button" class="ghost small" onClick={onSkip}>
          {t("skipSetup")}
        </button>
      ) : null}
    </div>
  );
}

function TeamStep({ site, onNext, onBack, onSkip }: { site: SiteMembership; onNext: () => void; onBack: () => void; onSkip: () => void }) {
  // Colleagues are invited by email: each sets their own name, photo and password from the link.
  const [form, setForm] = useState({ email: "", name: "" });
  const [added, setAdded] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const name = form.name.trim();
      await api.inviteByEmail(site.id, { email: form.email, role: "agent", ...(name ? { name } : {}) });
      setAdded((a) => [...a, t("invitationSent", { email: form.email })]);
      setForm({ email: "", name: "" });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="wizard-form">
      <p class="muted">{t("wizardTeamHint")}</p>
      <form class="add-operator wizard-team" onSubmit={add}>
        <label>
          {t("email")}
          <input type="email" required value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
        </label>
        <label>
          {t("name")}
          <input value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        </label>
        <button type="submit" class="ghost">
          {t("inviteByEmail")}
        </button>
      </form>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <ul class="wizard-added" aria-live="polite">
        {added.map((a) => (
          <li key={a} class="ok">
            {a}
          </li>
        ))}
      </ul>
      <div class="wizard-nav">
        <button type="button" class="ghost" onClick={onBack}>
          {t("back")}
        </button>
        <button type="button" class="primary" onClick={onNext}>
          {t("next")}
        </button>
        <button type="button" class="ghost small" onClick={onSkip}>
          {t("skipSetup")}
        </button>
      </div>
    </div>
  );
}

const GUIDES = ["guideHtml", "guideShopify", "guideWoo", "guideGtm"] as const;

function InstallStep({
  site,
  status,
  onDone,
  onBack,
}: {
  site: SiteMembership;
  status: InstallStatusResponse;
  onDone: () => void;
  onBack: () => void;
}) {
  const [installed, setInstalled] = useState(status.installed);
  const [copied, setCopied] = useState<boolean | null>(null);
  const snippet = snippetOf(status.widgetUrl, status.publicKey);
  useEffect(() => {
    if (installed) return;
    const timer = setInterval(() => {
      api.install(site.id).then(
        (s) => s.installed && setInstalled(s.installed),
        () => {},
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [site.id, installed]);
  return (
    <div class="wizard-form install-step">
      <p class="muted">{t("installIntro")}</p>
      <p class="snippet-label">{t("snippet")}</p>
      <pre class="install-snippet">
        <code>{snippet}</code>
      </pre>
      <div class="wizard-nav">
        <button
          type="button"
          class="ghost"
          onClick={() =>
            navigator.clipboard.writeText(snippet).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {t("copySnippet")}
        </button>
        <span role="status" class="small">
          {copied === true ? t("copied") : copied === false ? t("copyFailed") : ""}
        </span>
      </div>
      <div class="guides">
        {GUIDES.map((g) => (
          <details key={g}>
            <summary>{t(g)}</summary>
            <p>{t(`${g}Text`)}</p>
          </details>
        ))}
      </div>
      <div class={`install-check ${installed ? "installed" : ""}`} role="status" aria-live="polite">
        {installed ? (
          <>
            <strong>{t("installedOn", { host: hostOf(installed.origin) })}</strong>
            <span class="small">{t("installedFrom", { url: installed.url })}</span>
          </>
        ) : (
          <span>{t("installWaiting")}</span>
        )}
      </div>
      <div class="wizard-nav">
        <button type="button" class="ghost" onClick={onBack}>
          {t("back")}
        </button>
        <button type="button" class="primary" onClick={onDone}>
          {installed ? t("finishSetup") : t("finishLater")}
        </button>
      </div>
    </div>
  );
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}
