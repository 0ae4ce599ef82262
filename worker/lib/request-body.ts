/**
 * The one body reader: a request's bytes with a size limit counted while the stream is read, so a
 * chunked body without Content-Length is cut off at the limit too (and the rest is never read).
 * JSON bodies come back with every string and key well-formed (lone surrogates become U+FFFD), so
 * what a client is acknowledged with is what is stored. Used by JSON routes (`validate("json")`),
 * the beacon and uploads.
 */
import { wellFormed } from "../../protocol";
import { ApiError } from "./api-error";

const tooLarge = (maxBytes: number) =>
  new ApiError(
    "too_large",
    maxBytes >= 1024 ? `Bodies are at most ${maxBytes / 1024} KB here.` : `Bodies are at most ${maxBytes} bytes here.`,
  );

export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** The body as JSON (`undefined` when empty or only whitespace); `bad_json` when it does not parse. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const text = new TextDecoder().decode(await readBody(request, maxBytes));
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text, wellFormedValues);
  } catch {
    throw new ApiError("bad_json", "The body is not valid JSON.");
  }
}

/** JSON.parse reviver: strings and object keys with lone surrogates (only `\ud800`-style escapes make them) repaired. */
function wellFormedValues(_key: string, value: unknown): unknown {
  if (typeof value === "string") return wellFormed(value);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.every((k) => wellFormed(k) === k)) return value;
  return Object.fromEntries(keys.map((k) => [wellFormed(k), (value as Record<string, unknown>)[k]]));
}
