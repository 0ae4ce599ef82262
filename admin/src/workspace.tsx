/**
 * The signed-in workspace: a rail (site, operators online, language, profile, sign out), the
 * live inbox list and the open conversation. Keeps the tab title's unread count current and lets
 * Alt+↑/↓ move between conversations. Everything that belongs to one site (inbox socket, queue,
 * Live view, visitors, the open conversation, filters) lives in `SiteWorkspace`, keyed by the
 * site, so switching shop starts it afresh: nothing of the previous shop stays on screen.
 */
import { useEffect, useState } from "preact/hooks";
import type { ConversationSummary, MeResponse, SiteMembership } from "../../protocol";
import { hashParam } from "./account-views";
import { useAlertPrefs, useAlerts } from "./alerts";
import { api } from "./api";
import { AudienceView } from "./audience-view";
import { Avatar } from "./avatar";
import { ConversationPane } from "./conversation-pane";
import { t } from "./i18n";
import { DEFAULT_FILTER, type Filter, InboxList, visibleRows, visitorName } from "./inbox-list";
import { LazyPage } from "./lazy-page";
import { LiveView } from "./live-view";
import { MyInvitations } from "./my-invitations";
import { ProfileDialog, ProfileMenu } from "./profile-menu";
import { SavedRepliesManager } from "./saved-replies-manager";
import { SecurityView } from "./security-view";
import { SettingsView } from "./settings-view";
import { SetupWizard } from "./setup-wizard";
import { TeamView } from "./team-view";
import { mergeSummary, useInbox } from "./use-inbox";
import { VisitorsView } from "./visitors-view";

const SITE_KEY = "gadka:admin:site";

type ReportsModule = typeof import("./reports-view");

/** The reports page and uPlot: their own chunk, fetched the first time the page opens. */
function Reports(props: { siteId: string; role: SiteMembership["role"] }) {
  const [mod, setMod] = useState<ReportsModule | null | undefined>(undefined);
  useEffect(() => {
    import("./reports-view").then(setMod, () => setMod(null));
  }, []);
  if (mod === null) return <p class="error">{t("genericError")}</p>;
  return mod ? <mod.ReportsView {...props} /> : <div class="empty" aria-busy="true" />;
}

export type Page =
  | "inbox"
  | "live"
  | "visitors"
  | "audience"
  | "reports"
  | "team"
  | "settings"
  | "hours"
  | "sent-mail"
  | "welcome"
  | "security"
  | "engagement"
  | "branding";

// Pages opened rarely load their code on demand (their own chunks).
const loadHoursPage = () => import("./hours-page");
const loadSentMail = () => import("./sent-mail-view");
const loadEngagement = () => import("./engagement-page");
const loadBranding = () => import("./branding-page");
const SITE_CHOSEN = "gadka:site-chosen";

/** Makes `siteId` the workspace's shop (a shop just created by the set-up wizard). */
export function chooseSite(siteId: string): void {
  localStorage.setItem(SITE_KEY, siteId);
  window.dispatchEvent(new CustomEvent(SITE_CHOSEN, { detail: siteId }));
}

interface WorkspaceProps {
  me: MeResponse;
  page: Page;
  selected: string | null;
  onSignedOut: () => void;
  /** Reads `GET /api/me` again (after a profile change or an accepted invitation); `siteId` becomes the shop shown. */
  onMeChanged: (siteId?: string) => Promise<void>;
}

export function Workspace(props: WorkspaceProps) {
  const { me } = props;
  const [chosen, setChosen] = useState(() => localStorage.getItem(SITE_KEY));
  useEffect(() => {
    const on = (e: Event) => setChosen((e as CustomEvent<string>).detail);
    window.addEventListener(SITE_CHOSEN, on);
    return () => window.removeEventListener(SITE_CHOSEN, on);
  }, []);
  // A site the operator no longer belongs to (or none saved) falls back to their first.
  const siteId = me.sites.find((s) => s.id === chosen)?.id ?? me.sites[0]?.id ?? "";
  const switchSite = (id: string) => {
    localStorage.setItem(SITE_KEY, id);
    setChosen(id);
    location.hash = "#/inbox";
  };
  return <SiteWorkspace key={siteId} {...props} siteId={siteId} onSwitchSite={switchSite} />;
}

function SiteWorkspace({
  me,
  page,
  selected,
  onSignedOut,
  onMeChanged,
  siteId,
  onSwitchSite,
}: WorkspaceProps & { siteId: string; onSwitchSite: (siteId: string) => void }) {
  const inbox = useInbox(siteId);
  const [older, setOlder] = useState(new Map<string, ConversationSummary>());
  const [filter, setFilter] = useState<Filter>(DEFAULT_FILTER);
  const [managing, setManaging] = useState(false);
  const [editingProfile, setEditingProfile] = useState(false);
  const devMail = useSentMailAvailable(siteId);

  let all = older;
  for (const c of inbox.conversations.values()) all = mergeSummary(all, c);
  const conversations = [...all.values()];
  const unread = conversations.reduce((n, c) => n + (c.unreadForOperators > 0 ? 1 : 0), 0);

  const [prefs, setPrefs] = useAlertPrefs();
  useAlerts(conversations, { meId: me.operator.id, openId: selected, prefs, label: visitorName });
  useEffect(() => {
    document.title = unread && prefs.title ? `(${unread}) Gadka` : "Gadka";
  }, [unread, prefs.title]);
  useAutoAway(inbox.setPresence);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) return;
      const rows = visibleRows(conversations, filter, me.operator.id, inbox.queue);
      const i = rows.findIndex((c) => c.id === selected);
      const next = rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))];
      if (next) location.hash = `#/inbox/${next.id}`;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const site = me.sites.find((s) => s.id === siteId);
  const others = inbox.online.filter((o) => o.id !== me.operator.id);
  const myStatus = inbox.online.find((o) => o.id === me.operator.id)?.status ?? "online";

  return (
    <div class={`workspace ${page === "inbox" && selected ? "has-open" : ""}`}>
      <nav class="rail">
        <div class="brand">
          <span class="logo">G</span>
          <span>Gadka</span>
        </div>
        {me.sites.length > 1 ? (
          <select class="site-picker" value={siteId} aria-label={t("site")} onChange={(e) => onSwitchSite(e.currentTarget.value)}>
            {me.sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        ) : (
          <div class="site-name">{site?.name}</div>
        )}
        <div class="online">
          <h3>{t("online")}</h3>
          <ul>
            <li>
              <Avatar name={me.operator.name} url={me.operator.avatarUrl} size={24} />
              <span>{me.operator.name}</span>
              <i class={inbox.connection !== "open" ? "live" : myStatus === "away" ? "live away" : "live on"} />
            </li>
            <li>
              <button
                type="button"
                class="ghost small presence-toggle"
                onClick={() => inbox.setPresence(myStatus === "away" ? "online" : "away")}
              >
                {myStatus === "away" ? t("setOnline") : t("setAway")}
              </button>
            </li>
            {others.map((o) => (
              <li key={o.id} title={`${o.load}/${o.maxChats}`}>
                <Avatar name={o.name} url={o.avatarUrl} size={24} />
                <span>{o.name}</span>
                <i class={o.status === "away" ? "live away" : "live on"} />
              </li>
            ))}
          </ul>
          {others.length === 0 ? <p class="muted small">{t("nobodyOnline")}</p> : null}
        </div>
        <nav class="rail-nav">
          <a href="#/inbox" class={page === "inbox" ? "on" : ""}>
            {t("inbox")}
          </a>
          <a href="#/live" class={page === "live" ? "on" : ""}>
            {t("live")}
            {inbox.liveSummary?.counts.visitors ? <span class="nav-count">{inbox.liveSummary.counts.visitors}</span> : null}
          </a>
          <a href="#/visitors" class={page === "visitors" ? "on" : ""}>
            {t("visitorsNav")}
          </a>
          <a href="#/audience" class={page === "audience" ? "on" : ""}>
            {t("audience")}
          </a>
          <a href="#/reports" class={page === "reports" ? "on" : ""}>
            {t("reports")}
          </a>
          <a href="#/team" class={page === "team" ? "on" : ""}>
            {t("team")}
          </a>
          <a href="#/settings" class={page === "settings" ? "on" : ""}>
            {t("settings")}
          </a>
          <a href="#/engagement" class={page === "engagement" ? "on" : ""}>
            {t("engagementNav")}
          </a>
          <a href="#/branding" class={page === "branding" ? "on" : ""}>
            {t("brandingNav")}
          </a>
          {site?.role === "agent" ? null : (
            <a href="#/hours" class={page === "hours" ? "on" : ""}>
              {t("hoursNav")}
            </a>
          )}
          {devMail ? (
            <a href="#/sent-mail" class={page === "sent-mail" ? "on" : ""}>
              {t("sentMail")}
            </a>
          ) : null}
          <button type="button" class="rail-link" onClick={() => setManaging(true)}>
            {t("savedReplies")}
          </button>
          <a href="#/security" class={page === "security" ? "on" : ""}>
            {t("securityNav")}
          </a>
          {site && site.role !== "agent" ? (
            <a href="#/welcome" class={page === "welcome" && !hashHasNew() ? "on" : ""}>
              {t("setupNav")}
            </a>
          ) : null}
          <a href="#/welcome?new=1" class={page === "welcome" && hashHasNew() ? "on" : ""}>
            + {t("newShop")}
          </a>
        </nav>
        <details class="alert-prefs">
          <summary>{t("alerts")}</summary>
          {(["sound", "notify", "title"] as const).map((k) => (
            <label key={k} class="check">
              <input type="checkbox" checked={prefs[k]} onChange={(e) => setPrefs({ ...prefs, [k]: e.currentTarget.checked })} />
              {t(`alert_${k}`)}
            </label>
          ))}
        </details>
        <div class="rail-foot">
          <ProfileMenu me={me} onEditProfile={() => setEditingProfile(true)} onSignedOut={onSignedOut} />
        </div>
      </nav>
      <div class="main">
        <MyInvitations me={me} onMeChanged={onMeChanged} />
        {me.twoFactor.requiredBy.length > 0 && !me.twoFactor.enabled && page !== "security" ? (
          <p class="warning two-factor-banner" role="alert">
            {t("twoFactorRequiredBy", { shops: me.twoFactor.requiredBy.join(", ") })} <a href="#/security">{t("securityNav")}</a>
          </p>
        ) : null}
        {managing && site ? <SavedRepliesManager site={site} onClose={() => setManaging(false)} /> : null}
        {editingProfile ? <ProfileDialog me={me} onMeChanged={onMeChanged} onClose={() => setEditingProfile(false)} /> : null}
        {page !== "inbox" && site ? (
          <main class="team-page">
            {page === "welcome" ? (
              <SetupWizard
                key={location.hash}
                site={hashHasNew() ? null : site}
                onMeChanged={async (id) => {
                  await onMeChanged(id);
                  if (hashHasNew()) location.hash = "#/welcome?step=1";
                }}
              />
            ) : page === "security" ? (
              <SecurityView me={me} site={site} onMeChanged={onMeChanged} />
            ) : page === "team" ? (
              <TeamView site={site} />
            ) : page === "live" ? (
              <LiveView siteId={siteId} me={me} summary={inbox.liveSummary} watch={inbox.watchLive} />
            ) : page === "visitors" ? (
              <VisitorsView siteId={siteId} me={me} live={inbox.live} />
            ) : page === "audience" ? (
              <AudienceView siteId={siteId} />
            ) : page === "hours" ? (
              <LazyPage load={loadHoursPage} props={{ site }} />
            ) : page === "engagement" ? (
              <LazyPage load={loadEngagement} props={{ site }} />
            ) : page === "branding" ? (
              <LazyPage load={loadBranding} props={{ site }} />
            ) : page === "sent-mail" ? (
              <LazyPage load={loadSentMail} props={{ siteId }} />
            ) : page === "reports" ? (
              <Reports siteId={siteId} role={site.role} />
            ) : (
              <SettingsView site={site} />
            )}
          </main>
        ) : (
          <main class="inbox-layout">
            <InboxList
              siteId={siteId}
              conversations={conversations}
              selected={selected}
              filter={filter}
              onFilter={setFilter}
              meId={me.operator.id}
              queue={inbox.queue}
              loaded={inbox.loaded}
              onOlder={(rows) =>
                setOlder((m) => {
                  let next = m;
                  for (const r of rows) next = mergeSummary(next, r);
                  return next;
                })
              }
            />
            {selected ? (
              <ConversationPane
                key={selected}
                siteId={siteId}
                id={selected}
                summary={all.get(selected)}
                me={me}
                queued={inbox.queue.includes(selected)}
                assigneeName={inbox.online.find((o) => o.id === all.get(selected)?.assigneeId)?.name ?? null}
                live={(visitorId) => inbox.live.get(visitorId)}
              />
            ) : (
              <div class="placeholder">
                <div>
                  <strong>{t("pickConversation")}</strong>
                  <p>{t("pickConversationHint")}</p>
                </div>
              </div>
            )}
          </main>
        )}
      </div>
    </div>
  );
}

/**
 * Whether this deployment keeps a sent-mail list (development only). Nothing in the session or
 * the settings says which environment this is, so the list itself is asked once: a 404 hides it.
 */
function useSentMailAvailable(siteId: string): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let stale = false;
    api.sentMail(siteId).then(
      () => !stale && setAvailable(true),
      () => !stale && setAvailable(false),
    );
    return () => {
      stale = true;
    };
  }, [siteId]);
  return available;
}

const hashHasNew = () => hashParam("new") === "1";

const AWAY_AFTER_MS = 10 * 60_000;

/** Away after ten idle minutes, back online on the next touch of the keyboard or mouse. */
function useAutoAway(setPresence: (status: "online" | "away") => void): void {
  useEffect(() => {
    let away = false;
    let timer = setTimeout(goAway, AWAY_AFTER_MS);
    function goAway() {
      away = true;
      setPresence("away");
    }
    const activity = () => {
      clearTimeout(timer);
      timer = setTimeout(goAway, AWAY_AFTER_MS);
      if (away) {
        away = false;
        setPresence("online");
      }
    };
    const events = ["keydown", "pointerdown", "pointermove"] as const;
    for (const e of events) window.addEventListener(e, activity, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const e of events) window.removeEventListener(e, activity);
    };
  }, []);
}
