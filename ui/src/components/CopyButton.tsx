/** An icon button that copies `text` and says "Copied" for a moment. */
import { useState } from "react";

import { copyText } from "../lib/clipboard";
import { Glyph } from "./Glyph";

export function CopyButton({ text, label, size = 15 }: { text: string; label: string; size?: number }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={copied ? "Copied" : label}
      title={copied ? "Copied" : label}
      onClick={() => {
        void copyText(text).then((ok) => {
          if (!ok) return;
          setCopied(true);
          window.setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      <Glyph icon={copied ? "check" : "copy"} size={size} />
    </button>
  );
}
