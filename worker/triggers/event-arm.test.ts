import { describe, expect, it } from "vitest";
import { holdoutPoint } from "../../protocol/holdout";
import { compileRuleSet } from "./compile";
import { eventFitsArm } from "./event-arm";
import { shopInput, shopTriggers } from "./test-triggers";

const trigger = shopTriggers[7]!; // 20% held out
const ids = Array.from({ length: 2000 }, (_, i) => `v_${i}`);
const held = ids.filter((id) => holdoutPoint(id, trigger.id, trigger.salt) < 0.2);
const shown = ids.filter((id) => !held.includes(id));

describe("eventFitsArm", () => {
  it("takes 'control' only from held-out visitors and the other events only from the rest", () => {
    expect(held.length).toBeGreaterThan(300);
    for (const id of held) {
      expect(eventFitsArm({ e: "control" }, id, trigger)).toBe(true);
      expect(eventFitsArm({ e: "shown" }, id, trigger)).toBe(false);
      expect(eventFitsArm({ e: "clicked" }, id, trigger)).toBe(false);
    }
    for (const id of shown) {
      expect(eventFitsArm({ e: "control" }, id, trigger)).toBe(false);
      expect(eventFitsArm({ e: "shown" }, id, trigger)).toBe(true);
      expect(eventFitsArm({ e: "dismissed" }, id, trigger)).toBe(true);
    }
  });

  it("agrees with the share the browser receives in the rule set", () => {
    const rule = compileRuleSet(shopInput()).r.find((r) => r.i === trigger.id)!;
    for (const id of ids) expect(eventFitsArm({ e: "control" }, id, trigger)).toBe(holdoutPoint(id, rule.i, rule.s) < rule.h);
  });

  it("re-draws with a new salt: events of the old assignment no longer fit", () => {
    const restarted = { ...trigger, salt: "restarted" };
    const moved = held.filter((id) => !eventFitsArm({ e: "control" }, id, restarted));
    expect(moved.length / held.length).toBeGreaterThan(0.6);
  });
});
