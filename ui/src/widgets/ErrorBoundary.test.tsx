/** A component that throws while rendering: the widget shows a placeholder, the page survives. */
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { recordingHost } from "./testing";
import { Widget } from "./Widget";

vi.mock("./components/Badge", () => ({
  Badge: () => {
    throw new Error("boom");
  },
}));

const broken = { type: "Card", children: [{ type: "Badge", label: "x" }] };
const fine = { type: "Card", children: [{ type: "Text", value: "Fine again" }] };

describe("the error boundary", () => {
  it("replaces a widget that fails to render with a placeholder, and recovers on a new tree", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const host = recordingHost();
    const { rerender } = render(
      <>
        <Widget root={broken} itemId="a" host={host} />
        <p>Rest of the thread</p>
      </>,
    );
    expect(screen.getByRole("note")).toHaveTextContent("This widget could not be displayed: boom");
    expect(screen.getByText("Rest of the thread")).toBeInTheDocument();

    rerender(
      <>
        <Widget root={fine} itemId="a" host={host} />
        <p>Rest of the thread</p>
      </>,
    );
    expect(screen.queryByRole("note")).toBeNull();
    expect(screen.getByText("Fine again")).toBeInTheDocument();
  });
});
