/**
 * A page whose code loads on demand (its own chunk): renders nothing until the chunk has arrived,
 * then the page with the given props. Used for the pages an operator opens rarely, so the admin's
 * first load stays small.
 */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n";

export function LazyPage<P extends object>({ load, props }: { load: () => Promise<{ default: ComponentType<P> }>; props: P }) {
  const [page, setPage] = useState<{ C: ComponentType<P> } | null | undefined>(undefined);
  useEffect(() => {
    let stale = false;
    load().then(
      (m) => !stale && setPage({ C: m.default }),
      () => !stale && setPage(null),
    );
    return () => {
      stale = true;
    };
  }, [load]);
  if (page === undefined) return <div aria-busy="true" />;
  if (page === null) return <p class="error">{t("genericError")}</p>;
  return <page.C {...props} />;
}
