// Types for seed.mjs: the demo site and operators used by `npm run dev` and the end-to-end tests.
interface DemoOperator {
  id: string;
  email: string;
  name: string;
  avatarUrl: string;
}
export const DEMO: {
  siteId: string;
  siteKey: string;
  password: string;
  anna: DemoOperator;
  piotr: DemoOperator;
  /** Dev-only identify secret (hash = hex HMAC-SHA256 of the customer id). */
  identitySecret: string;
  /** Dev-only secret API key for /api/v1. */
  apiKey: string;
};
export function seedSql(): Promise<string>;
