import { Fragment } from "react";

import { parseSnippet } from "../lib/snippet";

/** A search snippet with its matched terms in `<mark>`; the text is never parsed as HTML. */
export function Snippet({ text }: { text: string }) {
  return (
    <>
      {parseSnippet(text).map((segment, index) =>
        segment.match ? (
          <mark key={index}>{segment.text}</mark>
        ) : (
          <Fragment key={index}>{segment.text}</Fragment>
        ),
      )}
    </>
  );
}
