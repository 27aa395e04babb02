/**
 * Cuts a streaming answer into sentence-sized chunks for a polite aria-live region, so a
 * screen reader hears whole sentences as they complete instead of every token (or nothing
 * until the end).
 */

/** Where the last complete sentence of `text` ends (0 if none has): after `.`, `!`, `?`, `…`
 *  or `:` followed by whitespace, or after a line break. */
export function sentenceEnd(text: string): number {
  let end = 0;
  const re = /[.!?…:]["')\]]*\s+|\n+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) end = m.index + m[0].length;
  return end;
}

/** Tracks how much of one answer was announced. */
export class SentenceAnnouncer {
  private itemId: string | null = null;
  private spoken = 0;

  /** The next chunk to announce for `text` (the answer so far), or `null` if no sentence
   *  completed since the last one. With `done`, whatever is left. */
  next(itemId: string, text: string, done: boolean): string | null {
    if (itemId !== this.itemId) {
      this.itemId = itemId;
      this.spoken = 0;
    }
    const end = done ? text.length : sentenceEnd(text);
    if (end <= this.spoken) return null;
    const chunk = text.slice(this.spoken, end).replace(/[#*_`>|]+/g, " ").replace(/\s+/g, " ").trim();
    this.spoken = end;
    return chunk === "" ? null : chunk;
  }
}
