/**
 * Hono's environment for every route and middleware: the bindings and the per-request variables
 * that middleware sets (the signed-in operator, the site the route is about).
 */

import type { SiteMembership } from "../protocol";
import type { OperatorWithSites } from "./db/operators";
import type { Env } from "./env";
import type { VisitorIdentity } from "./services/visitor-tokens";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Set by `operatorSession()`. */
    session: OperatorWithSites & { tokenHash: string };
    /** Set by `siteMember()`: the membership of the site named in the path. */
    site: SiteMembership;
    /** Set by the shop API's key check: the site whose secret key authenticated the call. */
    apiSiteId: string;
    /** Set on the visitor's socket route: the visitor its chat token names. */
    visitor: VisitorIdentity;
  };
}
