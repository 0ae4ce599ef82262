/**
 * Reports (issue 13), mounted under `/api/sites/:siteId/reports` behind `siteMember()`: the
 * operator and team report (agents get their own row), the hours (heatmap and staffing) and
 * common concerns (owners and admins), and any of their tables as CSV.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { REPORT_CSV_TABLES, ReportRangeQuery } from "../../protocol";
import type { AppEnv } from "../app-env";
import { requireRole } from "../middleware/require-role";
import { validate } from "../middleware/validate";
import { CSV_LANGS } from "../reports/csv-words";
import { salesReport } from "../services/report-sales";
import { concernsReport, hoursReport, reportCsv, teamReport } from "../services/reports";

const managers = requireRole("admin", "see the team's hours and concerns");
const viewerOf = (vars: AppEnv["Variables"]) => ({ id: vars.session.operator.id, role: vars.site.role });

export const reportRoutes = new Hono<AppEnv>()
  .get("/team", validate("query", ReportRangeQuery), async (c) =>
    c.json(await teamReport(c.env, c.var.site.id, viewerOf(c.var), c.req.valid("query"), Date.now())),
  )
  .get("/hours", managers, validate("query", ReportRangeQuery), async (c) =>
    c.json(await hoursReport(c.env, c.var.site.id, c.req.valid("query"), Date.now())),
  )
  .get("/concerns", managers, validate("query", ReportRangeQuery), async (c) =>
    c.json(await concernsReport(c.env, c.var.site.id, c.req.valid("query"), Date.now())),
  )
  .get("/sales", validate("query", ReportRangeQuery), async (c) =>
    c.json(await salesReport(c.env, c.var.site.id, viewerOf(c.var), c.req.valid("query"), Date.now())),
  )
  .get(
    "/csv",
    validate(
      "query",
      v.intersect([ReportRangeQuery, v.object({ table: v.picklist(REPORT_CSV_TABLES), lang: v.optional(v.picklist(CSV_LANGS)) })]),
    ),
    async (c) => {
      const { table, lang, ...range } = c.req.valid("query");
      const csv = await reportCsv(c.env, c.var.site.id, viewerOf(c.var), table, range, Date.now(), lang);
      return c.body(csv, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="gadka-${table}-${range.from ?? "last-30-days"}${range.to ? `-${range.to}` : ""}.csv"`,
      });
    },
  );
