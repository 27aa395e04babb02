/**
 * Search snippets from the core mark matched terms between U+0002 (start) and U+0003 (end).
 * They are split into plain segments here and rendered as text nodes / `<mark>` elements,
 * so whatever the snippet contains (HTML included) is shown as text, never parsed.
 */
export const MATCH_START = "\u0002";
export const MATCH_END = "\u0003";

export type SnippetSegment = { text: string; match: boolean };

export function parseSnippet(snippet: string): SnippetSegment[] {
  const segments: SnippetSegment[] = [];
  let match = false;
  let text = "";
  const flush = () => {
    if (text === "") return;
    const last = segments[segments.length - 1];
    if (last && last.match === match) last.text += text;
    else segments.push({ text, match });
    text = "";
  };
  for (const ch of snippet) {
    if (ch === MATCH_START || ch === MATCH_END) {
      flush();
      match = ch === MATCH_START;
    } else {
      text += ch;
    }
  }
  flush();
  return segments;
}
