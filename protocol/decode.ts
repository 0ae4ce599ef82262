/**
 * Decoding socket frames: the one place a raw frame becomes a typed one, or a coded error.
 * The list of known frame types comes from the schemas' own `type` literals.
 */
import * as v from "valibot";
import type { ErrorCode } from "./errors";
import { ClientFrame } from "./frames";
import { HubClientFrame } from "./hub-frames";
import { MAX_CLIENT_ID_CHARS, MAX_FRAME_BYTES } from "./limits";

/** The `type` literals of a variant schema's options. */
function frameTypes(schema: { options: readonly { entries: { type: { literal: string } } }[] }): readonly string[] {
  return schema.options.map((o) => o.entries.type.literal);
}

export const CLIENT_FRAME_TYPES = frameTypes(ClientFrame);
export const HUB_CLIENT_FRAME_TYPES = frameTypes(HubClientFrame);

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string; clientId?: string } };

/** A conversation socket's frame, typed, or a coded error. Never throws. */
export function decodeClientFrame(raw: string | ArrayBuffer): DecodeResult<ClientFrame> {
  return decodeFrame(raw, ClientFrame, CLIENT_FRAME_TYPES);
}

/** A dashboard (site hub) socket's frame, typed, or a coded error. Never throws. */
export function decodeHubFrame(raw: string | ArrayBuffer): DecodeResult<HubClientFrame> {
  return decodeFrame(raw, HubClientFrame, HUB_CLIENT_FRAME_TYPES);
}

/**
 * Turns a raw socket frame into a typed frame of `schema`, or a coded error. Size is checked
 * before parsing so an oversized frame costs nothing to reject.
 */
function decodeFrame<S extends v.GenericSchema>(
  raw: string | ArrayBuffer,
  schema: S,
  types: readonly string[],
): DecodeResult<v.InferOutput<S>> {
  if (typeof raw !== "string") {
    return fail("bad_request", "Frames must be JSON text, not binary.");
  }
  // Cheap upper bound first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (raw.length * 3 > MAX_FRAME_BYTES && utf8ByteLength(raw) > MAX_FRAME_BYTES) {
    return fail("too_large", `Frames are at most ${MAX_FRAME_BYTES} bytes.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail("bad_json", "The frame is not valid JSON.");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail("bad_request", "A frame is a JSON object with a string `type`.");
  }
  const record = json as Record<string, unknown>;
  const clientId = typeof record.clientId === "string" ? record.clientId.slice(0, MAX_CLIENT_ID_CHARS) : undefined;
  if (typeof record.type !== "string") {
    return fail("bad_request", "A frame is a JSON object with a string `type`.", clientId);
  }
  if (!types.includes(record.type)) {
    return fail("unknown_type", `Unknown frame type "${record.type.slice(0, 40)}".`, clientId);
  }
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) {
    return fail("validation_failed", describeIssue(parsed.issues[0]), clientId);
  }
  return { ok: true, value: parsed.output };
}

/** A one-line, person-readable description of the first validation problem. */
export function describeIssue(issue: v.BaseIssue<unknown> | undefined): string {
  if (!issue) return "The input is not valid.";
  const path = issue.path?.map((p) => String(p.key)).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** UTF-8 size of a string without TextEncoder (this module runs where no Web APIs are typed). */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function fail(code: ErrorCode, message: string, clientId?: string): DecodeResult<never> {
  return { ok: false, error: clientId === undefined ? { code, message } : { code, message, clientId } };
}
