/**
 * Who is on the other end of a socket, as the Worker vouches for it to a Durable Object.
 * The Worker authenticates the request, strips any client-sent `x-gadka-*` headers and sets
 * these; Durable Objects are reachable only through the Worker, so they can trust them.
 */

export type Participant =
  | { role: "visitor"; siteId: string; visitorId: string }
  | {
      role: "operator";
      siteId: string;
      operatorId: string;
      name: string;
      avatarUrl: string | null;
      /** Names the sign-in session (not the secret), so signing out can close its sockets. */
      sessionTag: string;
    };

/** What a sign-out or an ended account closes: one session's sockets, or all of an operator's. */
export type SessionMatch = { sessionTag: string } | { operatorId: string };

const HEADER = "x-gadka-participant";

/** A copy of `request` that carries `who` and nothing client-made under our header names. */
export function withParticipant(request: Request, who: Participant): Request {
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) if (name.startsWith("x-gadka-")) headers.delete(name);
  // Header values are Latin-1; names like "Анна" survive only percent-encoded.
  headers.set(HEADER, encodeURIComponent(JSON.stringify(who)));
  return new Request(request, { headers });
}

export function readParticipant(request: Request): Participant | null {
  const raw = request.headers.get(HEADER);
  if (!raw) return null;
  try {
    const who = JSON.parse(decodeURIComponent(raw)) as Participant;
    return who.role === "visitor" || who.role === "operator" ? who : null;
  } catch {
    return null;
  }
}
