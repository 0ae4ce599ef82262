// Types for seed.mjs: the demo site and operators used by `npm run dev` and the end-to-end tests.
interface DemoOperator {
  id: string;
  email: string;
  name: string;
  avatarUrl: string;
}
export const DEMO: { siteId: string; siteKey: string; password: string; anna: DemoOperator; piotr: DemoOperator };
export function seedSql(): Promise<string>;
