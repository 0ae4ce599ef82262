/**
 * The live inbox of one site: the site hub's socket (snapshot, then updates) through the shared
 * `ReconnectingSocket`, merged by revision so an older summary never replaces a newer one; and
 * the Live view's summary on the same socket (counts and the first visitors in the order this
 * dashboard asked for with `live.watch`; sent again after every reconnect).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  type ConversationSummary,
  DEFAULT_DASHBOARD_SORT,
  type HubServerFrame,
  type LiveSort,
  type LiveSummaryFrame,
  type LiveVisitor,
  type OnlineOperator,
} from "../../protocol";
import { type ConnectionState, ReconnectingSocket } from "../../protocol/client/reconnecting-socket";
import { socketEnded, socketUrl } from "./api";

export interface Inbox {
  conversations: Map<string, ConversationSummary>;
  online: OnlineOperator[];
  /** Conversations waiting for a free operator, in arrival order. */
  queue: string[];
  connection: ConnectionState;
  loaded: boolean;
  /** The Live view's latest summary (null until the hub sent one). */
  liveSummary: LiveSummaryFrame | null;
  /** The summary's visitors by id: the first on the site now, in the watched order. */
  live: Map<string, LiveVisitor>;
}

/**
 * `map` with `s` in it, unless `map` already holds a newer revision. A visitor who identifies is
 * renamed by the hub without a new revision (the room owns `rev`), so at the same revision a
 * changed name still wins.
 */
export function mergeSummary(map: Map<string, ConversationSummary>, s: ConversationSummary): Map<string, ConversationSummary> {
  const known = map.get(s.id);
  if (known && (known.rev > s.rev || (known.rev === s.rev && (s.visitorName ?? known.visitorName) === known.visitorName))) return map;
  const next = new Map(map);
  next.set(s.id, { ...s, visitorName: s.visitorName ?? known?.visitorName ?? null });
  return next;
}

export function useInbox(siteId: string): Inbox & { setPresence(status: "online" | "away"): void; watchLive(sort: LiveSort): void } {
  const socketRef = useRef<ReconnectingSocket | null>(null);
  const sortRef = useRef<LiveSort>(DEFAULT_DASHBOARD_SORT);
  const [inbox, setInbox] = useState<Inbox>({
    conversations: new Map(),
    online: [],
    queue: [],
    connection: "connecting",
    loaded: false,
    liveSummary: null,
    live: new Map(),
  });
  useEffect(() => {
    const socket = new ReconnectingSocket({
      url: () => socketUrl(`/ws/sites/${encodeURIComponent(siteId)}/inbox`),
      connect: (url) => new WebSocket(url),
      onState: (connection) => setInbox((s) => ({ ...s, connection })),
      onFinal: socketEnded,
      onText: (text) => {
        const frame = JSON.parse(text) as HubServerFrame;
        if (frame.type === "inbox.snapshot") {
          socket.markHealthy();
          // A new socket starts in the default order: ask again for the one chosen.
          if (sortRef.current !== DEFAULT_DASHBOARD_SORT) socket.send(JSON.stringify({ type: "live.watch", sort: sortRef.current }));
          setInbox((s) => {
            let conversations = new Map<string, ConversationSummary>();
            for (const c of frame.conversations) conversations = mergeSummary(conversations, c);
            // Keep rows the snapshot does not cover (older ones paged in over REST).
            for (const [id, c] of s.conversations) if (!conversations.has(id)) conversations.set(id, c);
            return { ...s, conversations, online: frame.operatorsOnline, loaded: true };
          });
        } else if (frame.type === "inbox.update") {
          setInbox((s) => ({ ...s, conversations: mergeSummary(s.conversations, frame.conversation) }));
        } else if (frame.type === "inbox.remove") {
          // Erased (GDPR): gone from every list at once.
          setInbox((s) => {
            const conversations = new Map(s.conversations);
            conversations.delete(frame.conversationId);
            return { ...s, conversations };
          });
        } else if (frame.type === "presence") {
          setInbox((s) => ({ ...s, online: frame.operatorsOnline }));
        } else if (frame.type === "queue.state") {
          setInbox((s) => ({ ...s, queue: frame.conversationIds }));
        } else if (frame.type === "live.summary") {
          setInbox((s) => ({ ...s, liveSummary: frame, live: new Map(frame.visitors.map((v) => [v.visitorId, v])) }));
        }
      },
    });
    socketRef.current = socket;
    socket.start();
    const online = () => socket.retryNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      socket.stop();
    };
  }, [siteId]);
  return {
    ...inbox,
    setPresence: (status) => void socketRef.current?.send(JSON.stringify({ type: "presence", status })),
    watchLive: (sort) => {
      if (sortRef.current === sort) return;
      sortRef.current = sort;
      socketRef.current?.send(JSON.stringify({ type: "live.watch", sort }));
    },
  };
}
