import { describe, expect, it } from "vitest";
import { estimateWaitSeconds, pickOperator } from "./routing";

const op = (id: string, load: number, maxChats = 5, skills: string[] = []) => ({ id, load, maxChats, skills });

describe("pickOperator", () => {
  it("takes the least loaded operator under the cap", () => {
    expect(pickOperator([op("a", 3), op("b", 1), op("c", 2)], { skill: null, lastChosen: null })).toBe("b");
    expect(pickOperator([op("a", 5), op("b", 5)], { skill: null, lastChosen: null })).toBeNull();
  });
  it("breaks ties round-robin after the last one chosen", () => {
    const ops = [op("a", 1), op("b", 1), op("c", 1)];
    expect(pickOperator(ops, { skill: null, lastChosen: null })).toBe("a");
    expect(pickOperator(ops, { skill: null, lastChosen: "a" })).toBe("b");
    expect(pickOperator(ops, { skill: null, lastChosen: "c" })).toBe("a");
  });
  it("requires the skill when one is asked for, and honours exclusions", () => {
    const ops = [op("a", 0, 5, ["returns"]), op("b", 0, 5, ["payments"])];
    expect(pickOperator(ops, { skill: "payments", lastChosen: null })).toBe("b");
    expect(pickOperator(ops, { skill: "shipping", lastChosen: null })).toBeNull();
    expect(pickOperator(ops, { skill: null, lastChosen: null, exclude: new Set(["a"]) })).toBe("b");
  });
});

describe("estimateWaitSeconds", () => {
  it("grows with the position and shrinks with operators online", () => {
    expect(estimateWaitSeconds(2, 1)).toBeGreaterThan(estimateWaitSeconds(1, 1));
    expect(estimateWaitSeconds(4, 4)).toBe(estimateWaitSeconds(1, 1));
  });
});
