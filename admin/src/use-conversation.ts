/**
 * One open conversation for an operator: its socket through the shared `ConversationClient`
 * (resume from the last seq, unsent replies kept in localStorage and retried), typing both ways,
 * read marks while the conversation is on screen, resolve / reopen.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatMessage, ConversationInfo, ConversationServerFrame, ConversationStatus, MessageKind, Priority } from "../../protocol";
import type { PendingSend } from "../../protocol/client";
import { type ConnectionState, ConversationClient, mergeMessages } from "../../protocol/client/conversation-client";
import { TypingSignal } from "../../protocol/client/typing-signal";
import { socketEnded, socketUrl } from "./api";

export interface ConversationView {
  info: ConversationInfo | null;
  messages: ChatMessage[];
  pending: PendingSend[];
  hasMore: boolean;
  loadingOlder: boolean;
  visitorTyping: boolean;
  /** What the visitor is typing, when the shop allows the preview. */
  visitorDraft: string | null;
  connection: ConnectionState;
  /** Priority and tags as changed live (the inbox summary has them until then). */
  details: { priority: Priority; tags: string[] } | null;
}

const pendingKey = (id: string) => `gadka:admin:pending:${id}`;

function loadPending(id: string): PendingSend[] {
  try {
    return JSON.parse(localStorage.getItem(pendingKey(id)) ?? "[]") as PendingSend[];
  } catch {
    return [];
  }
}

export function useConversation(siteId: string, conversationId: string) {
  const empty: ConversationView = {
    info: null,
    messages: [],
    pending: loadPending(conversationId),
    hasMore: false,
    loadingOlder: false,
    visitorTyping: false,
    visitorDraft: null,
    connection: "connecting",
    details: null,
  };
  const [view, setView] = useState<ConversationView>(empty);
  const client = useRef<ConversationClient | null>(null);
  const typingSignal = useRef(
    new TypingSignal((f) => client.current?.sendFrame(f) ?? false, { withDraft: false, everyMs: 2000, idleMs: 4000 }),
  );
  const visitorTypingTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const patch = (fn: (v: ConversationView) => Partial<ConversationView>) => setView((v) => ({ ...v, ...fn(v) }));

  useEffect(() => {
    setView(empty);
    const onFrame = (f: ConversationServerFrame) => {
      switch (f.type) {
        case "hello":
          patch((v) => ({
            info: f.conversation,
            messages: mergeMessages(v.messages, f.messages),
            hasMore: v.messages.length ? v.hasMore : f.hasMore,
          }));
          break;
        case "resume":
          patch((v) => ({ messages: mergeMessages(v.messages, f.messages) }));
          break;
        case "message":
        case "ack":
          patch((v) => ({
            messages: mergeMessages(v.messages, [f.message]),
            visitorTyping: f.message.role === "visitor" ? false : v.visitorTyping,
            visitorDraft: f.message.role === "visitor" ? null : v.visitorDraft,
            info: v.info && {
              ...v.info,
              lastSeq: Math.max(v.info.lastSeq, f.message.seq),
              status: f.message.role === "visitor" ? "open" : v.info.status,
            },
          }));
          break;
        case "history":
          patch((v) => ({ messages: mergeMessages(v.messages, f.messages), hasMore: f.hasMore, loadingOlder: false }));
          break;
        case "typing":
          if (f.role === "visitor") {
            clearTimeout(visitorTypingTimer.current);
            patch(() => ({ visitorTyping: f.active, visitorDraft: f.active ? (f.draft ?? null) : null }));
            // A lost "stopped typing" must not leave the indicator on.
            if (f.active) visitorTypingTimer.current = setTimeout(() => patch(() => ({ visitorTyping: false, visitorDraft: null })), 6000);
          }
          break;
        case "read":
          patch((v) => ({
            info: v.info && (f.role === "visitor" ? { ...v.info, visitorReadSeq: f.seq } : { ...v.info, operatorReadSeq: f.seq }),
          }));
          break;
        case "status":
          // The change itself arrives as a stored status event in the history (a message frame).
          patch((v) => ({ info: v.info && { ...v.info, status: f.status } }));
          break;
        case "updated":
          patch(() => ({ details: { priority: f.priority, tags: f.tags } }));
          break;
      }
    };
    const c = new ConversationClient({
      url: (after) =>
        socketUrl(
          `/ws/sites/${encodeURIComponent(siteId)}/conversations/${encodeURIComponent(conversationId)}${after === null ? "" : `?after=${after}`}`,
        ),
      connect: (url) => new WebSocket(url),
      onFinal: socketEnded,
      onFrame,
      onState: (connection) => patch(() => ({ connection })),
      onPendingChange: (pending) => {
        if (pending.length) localStorage.setItem(pendingKey(conversationId), JSON.stringify(pending));
        else localStorage.removeItem(pendingKey(conversationId));
        patch(() => ({ pending: [...pending] }));
      },
      pending: loadPending(conversationId),
      newId: () => crypto.randomUUID(),
    });
    client.current = c;
    c.start();
    const online = () => c.retryNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      typingSignal.current.stop();
      clearTimeout(visitorTypingTimer.current);
      c.stop();
      client.current = null;
    };
  }, [siteId, conversationId]);

  return {
    view,
    send(text: string, kind: MessageKind) {
      typingSignal.current.stop();
      client.current?.send(text, kind);
    },
    /** Notes are not typed to the visitor: only replies signal typing. */
    typing(text: string, kind: MessageKind) {
      if (kind === "text") typingSignal.current.input(text);
      else typingSignal.current.stop();
    },
    markRead(seq: number) {
      if (view.info && seq > view.info.operatorReadSeq && client.current?.sendFrame({ type: "read", seq })) {
        patch((v) => ({ info: v.info && { ...v.info, operatorReadSeq: seq } }));
      }
    },
    setStatus(status: ConversationStatus, snoozeUntil: number | null = null) {
      client.current?.sendFrame({ type: "status", status, snoozeUntil });
    },
    update(d: { priority?: Priority; tags?: string[] }) {
      client.current?.sendFrame({ type: "update", ...d });
    },
    loadOlder() {
      const first = view.messages[0];
      if (!first || !view.hasMore || view.loadingOlder) return;
      if (client.current?.sendFrame({ type: "history", before: first.seq })) patch(() => ({ loadingOlder: true }));
    },
  };
}
