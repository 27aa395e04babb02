import { describe, expect, it } from "vitest";

import { SentenceAnnouncer, sentenceEnd } from "./announce";

describe("sentence chunks for the live region", () => {
  it("finds the end of the last complete sentence", () => {
    expect(sentenceEnd("Hello there")).toBe(0);
    expect(sentenceEnd("Hello there. How ")).toBe("Hello there. ".length);
    expect(sentenceEnd("Version 1.5 is out")).toBe(0);
    expect(sentenceEnd("Line one\nLine")).toBe("Line one\n".length);
    expect(sentenceEnd('He said "go." Then')).toBe('He said "go." '.length);
  });

  it("announces each sentence once as the answer grows, and the rest when done", () => {
    const a = new SentenceAnnouncer();
    expect(a.next("m1", "The sky", false)).toBeNull();
    expect(a.next("m1", "The sky is blue. It", false)).toBe("The sky is blue.");
    expect(a.next("m1", "The sky is blue. It is", false)).toBeNull();
    expect(a.next("m1", "The sky is blue. It is **very** blue! And", false)).toBe("It is very blue!");
    expect(a.next("m1", "The sky is blue. It is **very** blue! And done", true)).toBe("And done");
    expect(a.next("m1", "The sky is blue. It is **very** blue! And done", true)).toBeNull();
    // A new answer starts from its beginning.
    expect(a.next("m2", "Next one. ", false)).toBe("Next one.");
  });
});
