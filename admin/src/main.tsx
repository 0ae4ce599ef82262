/**
 * Entry of the operator app: decides between sign-in and workspace from `GET /api/me`, and
 * routes by the URL hash (`#/login`, `#/signup`, `#/setup?token=`, `#/confirm?token=`, `#/inbox`,
 * `#/inbox/<conversationId>`, `#/live`, `#/visitors`, `#/audience`, `#/reports`, `#/team`, `#/settings`,
 * `#/hours`, `#/sent-mail`, `#/welcome` (the set-up wizard), `#/security`, `#/engagement` (triggers),
 * `#/branding`, `#/forgot`, `#/reset?token=`, `#/invitation?token=`) because the app is
 * static files with no server-side fallback. Renders once the operator's language has loaded.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { MeResponse } from "../../protocol";
import { ConfirmView, ForgotView, hashParam, InvitationView, ResetView, SetupView, SignupView } from "./account-views";
import { api, whenSignedOut } from "./api";
import { startI18n, useLang } from "./i18n";
import { LoginView } from "./login-view";
import { SecurityView } from "./security-view";
import { SetupWizard } from "./setup-wizard";
import { chooseSite, Workspace } from "./workspace";
import "./admin.css";

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash;
}

function App() {
  useLang();
  const hash = useHash();
  const [me, setMe] = useState<MeResponse | null | undefined>(undefined);

  useEffect(() => {
    whenSignedOut(() => setMe(null));
    api.me().then(setMe, () => setMe(null));
  }, []);

  if (me === undefined) return <div class="boot" aria-busy="true" />;
  const signedIn = (m: MeResponse, next = "#/inbox") => {
    setMe(m);
    if (!location.hash.startsWith(next)) location.hash = next;
  };
  // An emailed link works whether or not this browser is signed in (a change of email).
  if (hash.startsWith("#/confirm")) return <ConfirmView onSignedIn={(m) => signedIn(m, "#/welcome")} />;
  // The account-mail links: a reset (signed in or not) and an invitation (the view tells who must accept).
  if (hash.startsWith("#/reset")) return <ResetView />;
  if (hash.startsWith("#/invitation")) return <InvitationView me={me} onSignedIn={(m) => signedIn(m, "#/inbox")} />;
  if (me === null) {
    if (hash.startsWith("#/forgot")) return <ForgotView />;
    if (hash.startsWith("#/setup")) return <SetupView onSignedIn={(m) => signedIn(m, "#/welcome")} />;
    if (hash.startsWith("#/signup")) return <SignupView />;
    // `#/login?next=#/invitation?token=…`: back to the invitation once signed in.
    const next = hash.startsWith("#/login") ? hashParam("next") : "";
    return <LoginView onSignedIn={(m) => signedIn(m, next.startsWith("#/invitation") ? next : "#/inbox")} />;
  }
  const refresh = async (siteId?: string) => {
    if (siteId) chooseSite(siteId);
    setMe(await api.me());
  };
  if (me.sites.length === 0) {
    // A shop that requires two-factor sign-in shows up once the operator enrols; otherwise a new
    // account starts its first shop.
    const mustEnrol = me.twoFactor.requiredBy.length > 0 && !me.twoFactor.enabled;
    return (
      <div class="workspace solo">
        {mustEnrol ? (
          <main class="team-page">
            <SecurityView me={me} site={null} onMeChanged={refresh} />
          </main>
        ) : (
          <main class="team-page">
            <SetupWizard
              site={null}
              onMeChanged={async (id) => {
                await refresh(id);
                location.hash = "#/welcome?step=1";
              }}
            />
          </main>
        )}
      </div>
    );
  }
  const match = /^#\/inbox\/([\w-]+)$/.exec(hash);
  const page =
    (
      [
        "live",
        "visitors",
        "audience",
        "reports",
        "team",
        "settings",
        "hours",
        "sent-mail",
        "welcome",
        "security",
        "engagement",
        "branding",
      ] as const
    ).find((p) => hash.startsWith(`#/${p}`)) ?? "inbox";
  return <Workspace me={me} page={page} selected={match?.[1] ?? null} onSignedOut={() => setMe(null)} onMeChanged={refresh} />;
}

// The operator's language arrives as its own chunk; the first render waits for it.
startI18n().then(() => render(<App />, document.getElementById("app")!));
