/**
 * The practical email rule behind VisitorEmail (protocol/email.ts), in a file of its own without
 * valibot, so the chat UI checks an address with the server's own rule for a few hundred bytes.
 */

// Local part: RFC 5322 dot-atom (letters, digits and !#$%&'*+/=?^_`{|}~- between single dots).
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// A domain label: letters (any script, for IDN), digits and inner hyphens, at most 63.
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u;

/** The practical test behind VisitorEmail (see there); `email` already trimmed and lower-cased. */
export function isPracticalEmail(email: string): boolean {
  const at = email.lastIndexOf("@");
  if (at < 1 || email.indexOf("@") !== at) return false;
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split(".");
  const tld = labels[labels.length - 1]!;
  return (
    local.length <= 64 && LOCAL.test(local) && labels.length >= 2 && labels.every((l) => LABEL.test(l)) && /^\p{L}{2,}$|^xn--/u.test(tld)
  );
}
