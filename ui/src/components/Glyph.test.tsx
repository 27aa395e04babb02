import { render, within } from "@testing-library/react";
import * as lucide from "lucide-react";
import { describe, expect, it } from "vitest";

import { Glyph, icons, type GlyphName } from "./Glyph";

/** An element's tag, attributes (sorted) and children, to compare markup made two ways. */
function shape(element: Element): unknown {
  const attributes = [...element.attributes].map((a) => [a.name, a.value]).sort();
  return [element.tagName.toLowerCase(), attributes, [...element.children].map(shape)];
}

const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

describe("Glyph", () => {
  it.each(Object.keys(icons) as GlyphName[])("draws %s as lucide-react does", (name) => {
    const Component = (lucide as unknown as Record<string, lucide.LucideIcon>)[pascal(icons[name].name ?? "")]!;
    const theirs = render(<Component size={15} aria-hidden="true" />).container.querySelector("svg")!;
    const ours = render(<Glyph icon={name} size={15} />).container.querySelector("svg")!;
    expect(ours.children.length).toBeGreaterThan(0);
    expect(shape(ours)).toEqual(shape(theirs));
  });

  it("takes a stroke, a fill, a class and an accessible name", () => {
    const theirs = render(<lucide.Pin size={12} strokeWidth={2.2} fill="currentColor" aria-label="Pinned" className="thread-pin" />);
    const ours = render(<Glyph icon="pin" size={12} strokeWidth={2.2} fill="currentColor" label="Pinned" className="thread-pin" />);
    expect(shape(ours.container.querySelector("svg")!)).toEqual(shape(theirs.container.querySelector("svg")!));
    expect(within(ours.container).getByLabelText("Pinned")).toHaveClass("thread-pin");
  });
});
