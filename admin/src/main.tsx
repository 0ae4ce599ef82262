/**
 * Entry of the operator app: decides between sign-in and workspace from `GET /api/me`, and
 * routes by the URL hash (`#/login`, `#/inbox`, `#/inbox/<conversationId>`, `#/live`,
 * `#/visitors`, `#/audience`, `#/reports`, `#/team`, `#/settings`) because the app is
 * static files with no server-side fallback. Renders once the operator's language has loaded.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { MeResponse } from "../../protocol";
import { api, whenSignedOut } from "./api";
import { startI18n, useLang } from "./i18n";
import { LoginView } from "./login-view";
import { Workspace } from "./workspace";
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
  if (me === null) {
    return (
      <LoginView
        onSignedIn={(m) => {
          setMe(m);
          if (!location.hash.startsWith("#/inbox")) location.hash = "#/inbox";
        }}
      />
    );
  }
  const match = /^#\/inbox\/([\w-]+)$/.exec(hash);
  const page = (["live", "visitors", "audience", "reports", "team", "settings"] as const).find((p) => hash.startsWith(`#/${p}`)) ?? "inbox";
  return (
    <Workspace me={me} page={page} selected={match?.[1] ?? null} onSignedOut={() => setMe(null)} onMeChanged={() => api.me().then(setMe)} />
  );
}

// The operator's language arrives as its own chunk; the first render waits for it.
startI18n().then(() => render(<App />, document.getElementById("app")!));
