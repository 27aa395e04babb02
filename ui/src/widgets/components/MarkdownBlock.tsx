/** The Markdown component, rendered by the app's own Markdown view (GFM, highlighted code). */
import { Markdown } from "../../components/Markdown";
import type { NodeOf } from "../types";

export function MarkdownBlock({ node }: { node: NodeOf<"Markdown"> }) {
  return <Markdown text={node.value} streaming={node.streaming === true} className="ck-markdown" />;
}
