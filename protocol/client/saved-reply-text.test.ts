import { describe, expect, it } from "vitest";
import { fillSavedReply } from "./saved-reply-text";

describe("fillSavedReply", () => {
  it("fills names and keeps unknown variables visible", () => {
    expect(
      fillSavedReply("Hi {visitor.name}, I'm {operator.firstName} ({operator.name}). {oops}", {
        visitorName: "Ola",
        operatorName: "Anna Kowalska",
      }),
    ).toBe("Hi Ola, I'm Anna (Anna Kowalska). {oops}");
  });
  it("reads naturally for an anonymous visitor", () => {
    expect(fillSavedReply("Hi {visitor.name}! How can I help?", { visitorName: null, operatorName: "Piotr" })).toBe("Hi! How can I help?");
  });
});
