/**
 * Sending frames from a Durable Object to hibernatable sockets. A socket that cannot take a
 * frame is broken: it is closed (1011) so its client reconnects and resumes, and the others
 * still get theirs. Refused upgrades are answered as sockets closed with a code, so a client can
 * tell a final "no" from a network error. Used by ConversationRoom and SiteHub.
 */

export function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    try {
      ws.close(1011, "send failed");
    } catch {
      // already gone
    }
  }
}

export function sendFrame(ws: WebSocket, frame: object): void {
  sendText(ws, JSON.stringify(frame));
}

/** Serialises once and sends to every socket but `except`. */
export function broadcastFrame(sockets: WebSocket[], frame: object, except?: WebSocket): void {
  const text = JSON.stringify(frame);
  for (const ws of sockets) if (ws !== except) sendText(ws, text);
}

/** Completes a close the client started; 1005/1006 mean "no code" and may not be echoed. */
export function answerClose(ws: WebSocket, code: number): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "closing");
  } catch {
    // already closed
  }
}

/**
 * Accepts an upgrade only to close it at once with `code` (protocol/limits.ts CLOSE_CODES). The
 * socket is not hibernatable and nothing is stored: refusing costs the object nothing.
 */
export function refuseSocket(code: number, reason: string): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.close(code, reason);
  return new Response(null, { status: 101, webSocket: client });
}
