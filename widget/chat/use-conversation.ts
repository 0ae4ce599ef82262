/**
 * The chat's state machine as a Preact hook: visitor session, the conversation socket through
 * the shared `ConversationClient` (resume + outbox), typing, read marks, unread count. When the
 * server refuses the socket for good (its chat token expired and renewal named someone else,
 * or the conversation was erased), the chat continues with the session the server gives now:
 * a fresh, empty chat (`ended` says why the history is gone), keeping unsent messages.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { ChatMessage, ConversationServerFrame, ConversationStatus, VisitorSessionResponse } from "../../protocol";
import type { ConnectionState, PendingSend } from "../../protocol/client";
// Runtime imports come from their own files: the protocol index also holds valibot schemas the
// chat UI does not need in its bundle.
import { ConversationClient, mergeMessages } from "../../protocol/client/conversation-client";
import { TypingSignal } from "../../protocol/client/typing-signal";
import { loadPending, savePending, socketUrl, startConversation, startSession } from "./api";
import { siteKey, toHost, trackToken, trigger } from "./host";

const newId = () => crypto.randomUUID();

export interface ChatState {
  session: VisitorSessionResponse | null;
  failed: boolean;
  messages: ChatMessage[];
  pending: PendingSend[];
  connection: ConnectionState | "idle";
  operatorTyping: string | null;
  hasMore: boolean;
  loadingOlder: boolean;
  status: ConversationStatus;
  /** Highest seq of the visitor's own messages the operators have read. */
  operatorReadSeq: number;
  /** While waiting for a free operator. */
  queue: { position: number; etaSeconds: number } | null;
  /**
   * Set when the previous conversation can no longer be reached (a final close: 4401 after one
   * renewal, 4403, 4404) and this chat started afresh; cleared when the visitor writes.
   */
  ended: boolean;
}

const queueOf = (position: number | null, etaSeconds: number | null) =>
  position === null ? null : { position, etaSeconds: etaSeconds ?? 0 };

export function useConversation(visible: boolean) {
  const [state, setState] = useState<ChatState>({
    session: null,
    failed: false,
    messages: [],
    pending: loadPending(siteKey),
    connection: "idle",
    operatorTyping: null,
    hasMore: false,
    loadingOlder: false,
    status: "open",
    operatorReadSeq: 0,
    queue: null,
    ended: false,
  });
  const client = useRef<ConversationClient | null>(null);
  // The socket URL reads the token from here: a renewed token is used by the next connection.
  const current = useRef<VisitorSessionResponse | null>(null);
  // A renewal that named another visitor or conversation: the session a restart continues with.
  const renewedElsewhere = useRef<VisitorSessionResponse | null>(null);
  const readSeq = useRef(0);
  const operatorTypingTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  // The draft goes along so operators can prepare an answer (shown only if the shop allows it).
  const typingSignal = useRef(
    new TypingSignal((f) => client.current?.sendFrame(f) ?? false, { withDraft: true, everyMs: 400, idleMs: 4000 }),
  );
  const starting = useRef<Promise<void> | null>(null);
  const topic = useRef<string | null>(null);
  const patch = (p: Partial<ChatState> | ((s: ChatState) => Partial<ChatState>)) =>
    setState((s) => ({ ...s, ...(typeof p === "function" ? p(s) : p) }));

  function onFrame(frame: ConversationServerFrame) {
    switch (frame.type) {
      case "hello":
        readSeq.current = Math.max(readSeq.current, frame.conversation.visitorReadSeq);
        patch((s) => ({
          messages: mergeMessages(s.messages, frame.messages),
          hasMore: s.messages.length === 0 ? frame.hasMore : s.hasMore,
          status: frame.conversation.status,
          operatorReadSeq: frame.conversation.operatorReadSeq,
          queue: queueOf(frame.conversation.queuePosition, frame.conversation.queueEtaSeconds),
        }));
        break;
      case "resume":
        patch((s) => ({ messages: mergeMessages(s.messages, frame.messages) }));
        break;
      case "ack":
      case "message":
        // The shop's listeners learn that a message came, and from whom — not its text.
        if (frame.type === "message") toHost({ type: "on", name: "message", detail: { role: frame.message.role } });
        patch((s) => ({
          messages: mergeMessages(s.messages, [frame.message]),
          operatorTyping: frame.message.role === "operator" ? null : s.operatorTyping,
        }));
        break;
      case "history":
        patch((s) => ({ messages: mergeMessages(s.messages, frame.messages), hasMore: frame.hasMore, loadingOlder: false }));
        break;
      case "typing":
        if (frame.role === "operator") {
          clearTimeout(operatorTypingTimer.current);
          patch({ operatorTyping: frame.active ? (frame.name ?? "") : null });
          // A lost "stopped typing" must not leave the indicator on forever.
          if (frame.active) operatorTypingTimer.current = setTimeout(() => patch({ operatorTyping: null }), 6000);
        }
        break;
      case "read":
        if (frame.role === "operator") patch({ operatorReadSeq: frame.seq });
        break;
      case "status":
        patch({ status: frame.status });
        break;
      case "queue":
        patch({ queue: queueOf(frame.position, frame.etaSeconds) });
        break;
    }
  }

  function adopt(session: VisitorSessionResponse) {
    current.current = session;
    patch({ session, failed: false });
    // The loader keeps the tracking token, so its beacons name this same visitor.
    toHost({ type: "peek", track: session.trackToken });
  }

  /** 4401: a fresh chat token for the same visitor and conversation, or false (then it is final). */
  async function renew(conversationId: string): Promise<boolean> {
    const session = await startSession(siteKey, trackToken);
    const before = current.current;
    if (!before || session.visitorId !== before.visitorId || session.conversationId !== conversationId) {
      renewedElsewhere.current = session;
      return false;
    }
    adopt(session);
    return true;
  }

  /** The conversation is out of reach for good: go on with the session the server gives now. */
  async function restart() {
    client.current?.stop();
    client.current = null;
    starting.current = null;
    readSeq.current = 0;
    patch({ messages: [], hasMore: false, status: "open", operatorReadSeq: 0, queue: null, operatorTyping: null, ended: true });
    try {
      const session = renewedElsewhere.current ?? (await startSession(siteKey, trackToken));
      renewedElsewhere.current = null;
      adopt(session);
      if (session.conversationId) connect(session.conversationId);
      else if (loadPending(siteKey).length > 0) await ensureConversation(session);
    } catch {
      patch({ failed: true });
      setTimeout(() => void restart(), 5000);
    }
  }

  function connect(conversationId: string) {
    const c = new ConversationClient({
      url: (after) => socketUrl(conversationId, current.current?.token ?? "", after),
      connect: (url) => new WebSocket(url),
      renewCredential: () => renew(conversationId),
      onFinal: () => void restart(),
      onFrame,
      onState: (connection) => patch({ connection }),
      onPendingChange: (pending) => {
        savePending(siteKey, pending);
        patch({ pending: [...pending] });
      },
      pending: loadPending(siteKey),
      newId,
    });
    client.current = c;
    c.start();
  }

  useEffect(() => {
    let stopped = false;
    let retry = 1000;
    const boot = async () => {
      try {
        const session = await startSession(siteKey, trackToken);
        if (stopped) return;
        adopt(session);
        const pending = loadPending(siteKey);
        if (session.conversationId) connect(session.conversationId);
        else if (pending.length > 0) await ensureConversation(session);
      } catch {
        if (stopped) return;
        patch({ failed: true });
        retry = Math.min(retry * 2, 30_000);
        setTimeout(boot, retry);
      }
    };
    void boot();
    const online = () => client.current?.retryNow();
    window.addEventListener("online", online);
    return () => {
      stopped = true;
      window.removeEventListener("online", online);
      client.current?.stop();
    };
  }, []);

  // An operator's invitation starts a conversation for this visitor after the session began:
  // when the loader opens the panel and the chat has none yet, ask again so the invite shows
  // and the visitor answers into that same conversation.
  useEffect(() => {
    if (!visible || client.current || !state.session || starting.current) return;
    startSession(siteKey, trackToken).then(
      (session) => {
        if (!session.conversationId || client.current || starting.current) return;
        adopt(session);
        connect(session.conversationId);
      },
      () => {},
    );
  }, [visible]);

  async function ensureConversation(session: VisitorSessionResponse) {
    starting.current ??= (async () => {
      // A reply to a proactive trigger: the conversation records it.
      const { conversationId, peekToken } = await startConversation(session.token, topic.current, trigger?.id);
      toHost({ type: "on", name: "conversation:started", detail: { conversationId, trigger: trigger?.id ?? null } });
      current.current = { ...session, conversationId, peekToken };
      patch({ session: current.current });
      connect(conversationId);
    })().catch(() => {
      starting.current = null;
      setTimeout(() => void ensureConversation(session), 3000);
    });
    return starting.current;
  }

  // Unread = operator replies newer than what the visitor has seen; read marks when visible.
  const newestOperatorSeq = useMemo(
    () => state.messages.reduce((max, m) => (m.role === "operator" && m.seq > max ? m.seq : max), 0),
    [state.messages],
  );
  useEffect(() => {
    const markRead = () => {
      if (
        visible &&
        document.hasFocus() &&
        newestOperatorSeq > readSeq.current &&
        client.current?.sendFrame({ type: "read", seq: newestOperatorSeq })
      ) {
        readSeq.current = newestOperatorSeq;
      }
      const unread = state.messages.filter((m) => m.role === "operator" && m.seq > readSeq.current).length;
      toHost({ type: "unread", count: unread });
    };
    markRead();
    window.addEventListener("focus", markRead);
    return () => window.removeEventListener("focus", markRead);
  }, [visible, newestOperatorSeq, state.connection]);

  return {
    state,
    send(text: string) {
      const c = client.current;
      typingSignal.current.stop();
      if (state.ended) patch({ ended: false });
      if (c) {
        c.send(text);
        return;
      }
      // No conversation yet: keep the message in the persisted outbox, then start one.
      const item: PendingSend = { clientId: newId(), text, createdAt: Date.now() };
      const pending = [...loadPending(siteKey), item];
      savePending(siteKey, pending);
      patch({ pending });
      if (current.current) void ensureConversation(current.current);
    },
    typing(text: string) {
      typingSignal.current.input(text);
    },
    /** The topic chosen before the first message (routes to an operator with that skill). */
    pickTopic(skill: string) {
      topic.current = skill;
    },
    loadOlder() {
      const first = state.messages[0];
      if (!state.hasMore || state.loadingOlder || !first) return;
      if (client.current?.sendFrame({ type: "history", before: first.seq })) patch({ loadingOlder: true });
    },
  };
}
