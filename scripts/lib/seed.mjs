// The demo data for local development and the end-to-end tests: the site "Demo Shop" and two
// operators (anna@demo.test, owner; piotr@demo.test, agent; password demo1234). Idempotent:
// running it again changes nothing. Never part of migrations, never deployed.
import { createHash, webcrypto as crypto } from "node:crypto";

export const DEMO = {
  siteId: "site_demo",
  siteKey: "pk_demo_shop",
  password: "demo1234",
  anna: { id: "op_anna", email: "anna@demo.test", name: "Anna Kowalska", avatarUrl: "/admin/avatars/anna.svg" },
  piotr: { id: "op_piotr", email: "piotr@demo.test", name: "Piotr Nowak", avatarUrl: "/admin/avatars/piotr.svg" },
  // Dev-only, published on purpose so the README can show working examples. Never use these on a
  // deployed site: an owner creates real ones in Admin → settings (or rotates these away).
  /** identify hash = hex HMAC-SHA256(customer id) under this secret. */
  identitySecret: "is_demo_identity_secret_do_not_use_in_production",
  /** `Authorization: Bearer <apiKey>` for /api/v1 (stored only as its SHA-256). */
  apiKey: "sk_demo_shop_api_key_do_not_use_in_production",
};

// Same format as worker/lib/crypto.ts hashPassword (PBKDF2-SHA256, 100,000 iterations).
async function hashPassword(password) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 100_000 }, key, 256);
  const b64 = (u8) => Buffer.from(u8).toString("base64url");
  return `pbkdf2-sha256$100000$${b64(salt)}$${b64(new Uint8Array(bits))}`;
}

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

export async function seedSql() {
  const now = Date.now();
  const hash = await hashPassword(DEMO.password);
  const settings = JSON.stringify({
    accentColor: "#4f46e5",
    welcomeText: "Hi! Questions about an order, a grinder or brewing? We usually answer within minutes.",
    topics: [
      { label: "Product advice", skill: "advice" },
      { label: "My order", skill: "orders" },
      { label: "Returns", skill: "returns" },
    ],
  });
  const origins = JSON.stringify(["http://localhost:8787", "http://127.0.0.1:8787"]);
  const lines = [
    `INSERT INTO sites (id, name, public_key, allowed_origins, settings, created_at) VALUES (${q(DEMO.siteId)}, 'Demo Shop', ${q(DEMO.siteKey)}, ${q(origins)}, ${q(settings)}, ${now}) ON CONFLICT (id) DO NOTHING;`,
  ];
  for (const [op, role, skills] of [
    [DEMO.anna, "owner", ["advice", "orders"]],
    [DEMO.piotr, "agent", ["returns", "orders"]],
  ]) {
    lines.push(
      `INSERT INTO operators (id, email, name, avatar_url, password_hash, created_at) VALUES (${q(op.id)}, ${q(op.email)}, ${q(op.name)}, ${q(op.avatarUrl)}, ${q(hash)}, ${now}) ON CONFLICT DO NOTHING;`,
      `INSERT INTO memberships (site_id, operator_id, role, created_at, skills) VALUES (${q(DEMO.siteId)}, ${q(op.id)}, ${q(role)}, ${now}, ${q(JSON.stringify(skills))}) ON CONFLICT DO NOTHING;`,
    );
  }
  const apiKeyHash = createHash("sha256").update(DEMO.apiKey).digest("hex");
  lines.push(
    `INSERT INTO site_secrets (site_id, identity_secret, identity_secret_created_at, api_key_hash, api_key_prefix, api_key_created_at) VALUES (${q(DEMO.siteId)}, ${q(DEMO.identitySecret)}, ${now}, ${q(apiKeyHash)}, ${q(DEMO.apiKey.slice(0, 10))}, ${now}) ON CONFLICT DO NOTHING;`,
  );
  const replies = [
    ["sr_demo_hello", "hello", "Hi {visitor.name}! I'm {operator.firstName} from Demo Shop — how can I help?"],
    [
      "sr_demo_shipping",
      "shipping",
      "We ship within 24 hours on working days; delivery in Poland takes 1–2 days, elsewhere in the EU 3–5 days.",
    ],
    [
      "sr_demo_returns",
      "returns",
      "You can return anything within 30 days. Start here: https://demo.example/returns — we refund within 3 days of receiving it.",
    ],
  ];
  for (const [id, shortcut, body] of replies) {
    lines.push(
      `INSERT INTO saved_replies (id, site_id, operator_id, shortcut, body, created_at, updated_at) VALUES (${q(id)}, ${q(DEMO.siteId)}, NULL, ${q(shortcut)}, ${q(body)}, ${now}, ${now}) ON CONFLICT DO NOTHING;`,
    );
  }
  return `${lines.join("\n")}\n`;
}
