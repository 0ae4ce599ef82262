/**
 * Site settings → Identity and API (owners only; the API answers 403 to everyone else): the
 * identify secret with copy and rotate, the secret API key (its start and date; a new one is
 * shown once), and how a shop's server uses both.
 */
import { useEffect, useState } from "preact/hooks";
import type { SiteSecretsResponse } from "../../protocol";
import { api } from "./api";
import { errorText } from "./error-text";
import { t } from "./i18n";
import { formatDateTime } from "./i18n/format";

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      class="ghost small copy"
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => setCopied(true),
          () => alert(t("copyFailed")),
        )
      }
    >
      {copied ? t("copied") : t("copy")}
    </button>
  );
}

function Secret({ value, label }: { value: string; label: string }) {
  return (
    <div class="secret">
      <code class="mono" title={label}>
        {value}
      </code>
      <CopyButton text={value} />
    </div>
  );
}

export function DeveloperSettings({ siteId }: { siteId: string }) {
  const [secrets, setSecrets] = useState<SiteSecretsResponse | null | undefined>(undefined);
  const [newKey, setNewKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let stale = false;
    setSecrets(undefined);
    setNewKey(null);
    api.secrets(siteId).then(
      (s) => !stale && setSecrets(s),
      () => !stale && setSecrets(null),
    );
    return () => {
      stale = true;
    };
  }, [siteId]);

  const act = async (confirmText: string, run: (s: SiteSecretsResponse) => Promise<SiteSecretsResponse>) => {
    if (!secrets || busy || !confirm(confirmText)) return;
    setBusy(true);
    setError(null);
    try {
      setSecrets(await run(secrets));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const rotate = () =>
    act(t("rotateSecretConfirm"), async (s) => ({ ...s, identitySecret: (await api.rotateIdentitySecret(siteId)).identitySecret }));
  const createKey = () =>
    act(secrets?.apiKey ? t("replaceKeyConfirm") : t("createKeyConfirm"), async (s) => {
      const r = await api.createApiKey(siteId);
      setNewKey(r.apiKey);
      return { ...s, apiKey: { prefix: r.prefix, createdAt: r.createdAt } };
    });

  return (
    <section class="settings developers" aria-labelledby="dev-title">
      <h2 id="dev-title">{t("developers")}</h2>
      {secrets === undefined ? (
        <div aria-busy="true" />
      ) : secrets === null ? (
        <p class="error">{t("genericError")}</p>
      ) : (
        <>
          <div class="dev-block">
            <h3>{t("identitySecret")}</h3>
            <p class="muted small">{t("identitySecretHint")}</p>
            <Secret value={secrets.identitySecret} label={t("identitySecret")} />
            <button type="button" class="ghost small danger" disabled={busy} onClick={rotate}>
              {t("rotateSecret")}
            </button>
          </div>

          <div class="dev-block">
            <h3>{t("apiKey")}</h3>
            <p class="muted small">{t("apiKeyHint")}</p>
            {newKey ? (
              <div class="new-key" role="status">
                <strong>{t("newKeyWarning")}</strong>
                <Secret value={newKey} label={t("apiKey")} />
              </div>
            ) : secrets.apiKey ? (
              <p class="key-line">
                <code class="mono">{secrets.apiKey.prefix}…</code>
                <span class="muted small">{t("keyCreated", { date: formatDateTime(secrets.apiKey.createdAt) })}</span>
              </p>
            ) : (
              <p class="muted small">{t("noApiKey")}</p>
            )}
            <button type="button" class={secrets.apiKey ? "ghost small danger" : "primary small"} disabled={busy} onClick={createKey}>
              {t("createKey")}
            </button>
          </div>
          {error ? <p class="error">{error}</p> : null}

          <div class="dev-block">
            <h3>{t("howToIdentify")}</h3>
            <p class="muted small">{t("howToIdentifyHint")}</p>
            <pre class="code">{IDENTIFY_SERVER}</pre>
            <pre class="code">{IDENTIFY_PAGE}</pre>
            <h3>{t("howToOrders")}</h3>
            <pre class="code">{ordersCurl(location.origin)}</pre>
          </div>
        </>
      )}
    </section>
  );
}

const IDENTIFY_SERVER = `// On your server (Node.js): never send the secret to the browser.
import crypto from 'node:crypto';

const hash = crypto
  .createHmac('sha256', process.env.GADKA_IDENTITY_SECRET)
  .update(customer.id)
  .digest('hex');`;

const IDENTIFY_PAGE = `// On the page, for the signed-in customer:
Gadka('identify', {
  id: 'cust_1001',
  email: 'ewa@example.com',
  name: 'Ewa Zielińska',
  hash: '<hash from your server>',
});`;

const ordersCurl = (origin: string) => `curl -X POST ${origin}/api/v1/orders \\
  -H "Authorization: Bearer $GADKA_API_KEY" \\
  -H 'content-type: application/json' \\
  -d '{"orderId":"1001","customerId":"cust_1001","total":40,"currency":"EUR"}'`;
