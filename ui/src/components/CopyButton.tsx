/** An icon button that copies `text` and says "Copied" for a moment. */
import { useState } from "react";
import { Check, Copy } from "lucide-react";

import { copyText } from "../lib/clipboard";

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
      {copied ? <Check size={size} aria-hidden="true" /> : <Copy size={size} aria-hidden="true" />}
    </button>
  );
}
