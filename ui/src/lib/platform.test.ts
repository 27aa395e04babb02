import { describe, expect, it } from "vitest";

import { osOf } from "./platform";

describe("osOf", () => {
  it("tells the three desktop web views apart by their user agents", () => {
    // WebKitGTK (Linux), WKWebView (macOS), WebView2 (Windows).
    expect(osOf("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")).toBe("linux");
    expect(osOf("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)")).toBe("macos");
    expect(osOf("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")).toBe("windows");
    expect(osOf("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36")).toBe("other");
  });
});
