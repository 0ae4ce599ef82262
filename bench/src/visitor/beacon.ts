/**
 * The page's beacon as the presence module sends it (`POST /api/track`, text/plain JSON from
 * the shop's origin), over keep-alive HTTP/1.1 from Node's own client — cheaper per request than
 * fetch, so the client leaves more of the two shared cores to workerd — and the visitors it
 * drives: each keeps its tracking token and its page view's key, as the page does.
 */
import http from "node:http";
import { SHOP_ORIGIN, type Shop } from "./server";

export interface BeaconAnswer {
  status: number;
  body: { t?: string; error?: { code?: string } } | null;
}

export class BeaconClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly host: string;
  private readonly port: number;

  constructor(url: string) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  /** The beacon's CORS preflight: the Worker's cheapest answer (no storage, no object), the floor of a request. */
  preflight(): Promise<BeaconAnswer> {
    return this.request("OPTIONS", null);
  }

  send(body: Record<string, unknown>): Promise<BeaconAnswer> {
    return this.request("POST", JSON.stringify(body));
  }

  private request(method: string, payload: string | null): Promise<BeaconAnswer> {
    return new Promise((resolve) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          path: "/api/track",
          method,
          agent: this.agent,
          headers: payload
            ? { "content-type": "text/plain;charset=UTF-8", origin: SHOP_ORIGIN, "content-length": Buffer.byteLength(payload) }
            : { origin: SHOP_ORIGIN, "access-control-request-method": "POST" },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            let parsed: BeaconAnswer["body"] = null;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
              // not JSON: counted by status
            }
            // The preflight's 204 counts as the 200 of a beacon.
            resolve({ status: res.statusCode === 204 ? 200 : (res.statusCode ?? 0), body: parsed });
          });
          res.on("error", () => resolve({ status: 0, body: null }));
        },
      );
      req.on("error", () => resolve({ status: 0, body: null }));
      req.end(payload ?? undefined);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One simulated tab: its token, its current page view's key and when that view began. */
export class Visitor {
  token: string | undefined;
  page = 0;
  pv = "";
  viewedAt = 0;

  constructor(
    readonly shop: Shop,
    readonly n: number,
  ) {}

  private url(): string {
    return `${SHOP_ORIGIN}/bench/page-${this.page}?v=${this.n}`;
  }

  /** A page view (the next page); the answer's token is kept. */
  view(client: BeaconClient): Promise<BeaconAnswer> {
    this.page++;
    this.pv = `b${this.n.toString(36)}p${this.page}`;
    this.viewedAt = Date.now();
    return this.keep(
      client.send({ k: this.shop.key, t: this.token, e: "view", u: this.url(), ti: `Page ${this.page}`, pv: this.pv, l: "en" }),
    );
  }

  ping(client: BeaconClient): Promise<BeaconAnswer> {
    return this.keep(
      client.send({ k: this.shop.key, t: this.token, e: "ping", u: this.url(), pv: this.pv, ms: Date.now() - this.viewedAt }),
    );
  }

  leave(client: BeaconClient): Promise<BeaconAnswer> {
    return this.keep(
      client.send({ k: this.shop.key, t: this.token, e: "leave", u: this.url(), pv: this.pv, ms: Date.now() - this.viewedAt }),
    );
  }

  private async keep(answer: Promise<BeaconAnswer>): Promise<BeaconAnswer> {
    const a = await answer;
    if (a.status === 200 && a.body?.t) this.token = a.body.t;
    return a;
  }
}
