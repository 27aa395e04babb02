import { describe, expect, it } from "vitest";

import { parseSnippet } from "./snippet";

describe("parseSnippet", () => {
  it("splits matched terms marked with U+0002/U+0003 from plain text", () => {
    expect(parseSnippet("…the \u0002quick\u0003 brown \u0002fox\u0003…")).toEqual([
      { text: "…the ", match: false },
      { text: "quick", match: true },
      { text: " brown ", match: false },
      { text: "fox", match: true },
      { text: "…", match: false },
    ]);
  });

  it("returns plain text unchanged when nothing is marked", () => {
    expect(parseSnippet("no marks here")).toEqual([{ text: "no marks here", match: false }]);
    expect(parseSnippet("")).toEqual([]);
  });

  it("handles a match at the very start and end and adjacent matches", () => {
    expect(parseSnippet("\u0002a\u0003\u0002b\u0003")).toEqual([{ text: "ab", match: true }]);
  });

  it("treats an unterminated match as running to the end and ignores a stray end marker", () => {
    expect(parseSnippet("x \u0002y z")).toEqual([
      { text: "x ", match: false },
      { text: "y z", match: true },
    ]);
    expect(parseSnippet("a\u0003b")).toEqual([{ text: "ab", match: false }]);
  });
});
