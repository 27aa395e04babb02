import { afterEach, describe, expect, it } from "vitest";

import { FIRST_SCREEN_GLOBAL, takeFirstScreen } from "./firstScreen";

const holder = window as unknown as Record<string, unknown>;

describe("the first screen the shell put in the page", () => {
  afterEach(() => {
    delete holder[FIRST_SCREEN_GLOBAL];
  });

  it("is taken once", () => {
    const first = {
      status: { state: "ready" },
      settings: { theme: "dark", api_enabled: false, api_port: 8787 },
      threads: { data: [], has_more: false },
      threads_limit: 100,
    };
    holder[FIRST_SCREEN_GLOBAL] = first;
    expect(takeFirstScreen()).toEqual(first);
    expect(FIRST_SCREEN_GLOBAL in holder).toBe(false);
    expect(takeFirstScreen()).toBeNull();
  });

  it("is ignored when absent or not the shape the shell writes", () => {
    expect(takeFirstScreen()).toBeNull();
    for (const bad of [null, 42, "x", { status: "ready", threads_limit: 100 }, { status: { state: "ready" } }]) {
      holder[FIRST_SCREEN_GLOBAL] = bad;
      expect(takeFirstScreen()).toBeNull();
    }
  });
});
