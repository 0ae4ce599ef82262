/**
 * Filling a saved reply's variables: {visitor.name}, {operator.name}, {operator.firstName}.
 * Unknown variables stay as written, so a typo is visible before sending. Pure; used by the admin.
 */
export interface ReplyVariables {
  visitorName: string | null;
  operatorName: string;
}

export function fillSavedReply(body: string, v: ReplyVariables): string {
  const values: Record<string, string> = {
    "visitor.name": v.visitorName ?? "",
    "operator.name": v.operatorName,
    "operator.firstName": v.operatorName.split(/\s+/)[0] ?? v.operatorName,
  };
  return body
    .replace(/\{([\w.]+)\}/g, (whole, key: string) => values[key] ?? whole)
    .replace(/ +([,.!?])/g, "$1") // "Hi {visitor.name}!" for an anonymous visitor reads "Hi!"
    .replace(/ {2,}/g, " ");
}
