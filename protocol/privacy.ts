/**
 * Export of everything stored about one person (GDPR).
 */
import type { CartInfo, DeviceInfo, PageView, VisitorProfile, VisitSummary } from "./profiles";
import type { ShopOrder } from "./shop-api";

/** `GET /api/sites/:siteId/visitors/:visitorId/export` (owners, admins): every trace of one person. */
export interface VisitorExport {
  exportedAt: number;
  siteId: string;
  profile: VisitorProfile;
  /** This profile and the anonymous ones merged into it. */
  visitorIds: string[];
  visits: (VisitSummary & { visitorId: string; device: DeviceInfo | null; country: string | null; city: string | null })[];
  pageViews: (PageView & { visitorId: string; visitId: string | null })[];
  events: { visitorId: string; type: string; data: unknown; at: number }[];
  orders: ShopOrder[];
  cart: CartInfo | null;
  conversations: {
    id: string;
    visitorId: string;
    createdAt: number;
    status: string;
    messages: { seq: number; kind: string; role: string; authorName: string | null; text: string; createdAt: number }[];
  }[];
}
