/**
 * The floor: a minimal in-memory chat relay on Node's `ws` — Gadka's socket paths and frame
 * shapes, but no storage, authentication or validation. It greets with `hello`, answers
 * `message.send` with an `ack` and relays `message` to the conversation's other sockets.
 * Runs as its own process (started by baseline.ts), with its own event loop as workerd has,
 * and reports its port over IPC.
 */
import { type WebSocket, WebSocketServer } from "ws";
import { type AckFrame, type AuthorRole, type ChatMessage, type HelloFrame, type MessageFrame, PING, PONG } from "../../../protocol";

interface Room {
  id: string;
  lastSeq: number;
  sockets: Set<WebSocket>;
  createdAt: number;
}

const rooms = new Map<string, Room>();
const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });

server.on("connection", (ws, req) => {
  const path = new URL(req.url ?? "/", "http://relay").pathname;
  const id = path.slice(path.lastIndexOf("/") + 1);
  const role: AuthorRole = path.startsWith("/ws/visitor/") ? "visitor" : "operator";
  let room = rooms.get(id);
  if (!room) {
    room = { id, lastSeq: 0, sockets: new Set(), createdAt: Date.now() };
    rooms.set(id, room);
  }
  const current = room;
  current.sockets.add(ws);
  ws.on("close", () => current.sockets.delete(ws));
  ws.on("message", (data, isBinary) => {
    if (!isBinary) relay(current, ws, role, data.toString());
  });
  ws.send(JSON.stringify(hello(current)));
});

function relay(room: Room, from: WebSocket, role: AuthorRole, raw: string): void {
  if (raw === PING) {
    from.send(PONG);
    return;
  }
  let frame: { type?: unknown; clientId?: unknown; text?: unknown };
  try {
    frame = JSON.parse(raw);
  } catch {
    return;
  }
  if (frame.type !== "message.send") return;
  const message: ChatMessage = {
    seq: ++room.lastSeq,
    clientId: String(frame.clientId),
    kind: "text",
    role,
    authorId: null,
    authorName: null,
    authorAvatar: null,
    text: String(frame.text),
    createdAt: Date.now(),
  };
  from.send(JSON.stringify({ type: "ack", clientId: message.clientId, message } satisfies AckFrame));
  const out = JSON.stringify({ type: "message", message } satisfies MessageFrame);
  for (const ws of room.sockets) if (ws !== from) ws.send(out);
}

function hello(room: Room): HelloFrame {
  return {
    type: "hello",
    conversation: {
      id: room.id,
      siteId: "baseline",
      visitorId: "baseline",
      status: "open",
      lastSeq: room.lastSeq,
      visitorReadSeq: 0,
      operatorReadSeq: 0,
      createdAt: room.createdAt,
      assigneeId: null,
      queuePosition: null,
      queueEtaSeconds: null,
    },
    messages: [],
    hasMore: room.lastSeq > 0,
    resuming: false,
  };
}

server.on("listening", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
// The benchmark owns this process: when it goes, so does the relay.
process.on("disconnect", () => process.exit(0));
