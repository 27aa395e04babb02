import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { Fact } from "../bindings/Fact";
import { installFakeCore, type ChatKitCall } from "../test/fakeCore";
import { FactsPanel } from "./FactsPanel";

function fact(id: string, text: string, status: Fact["status"]): Fact {
  const at = "2026-11-20T10:00:00Z";
  return { id, text, status, source_thread_id: null, source_item_id: null, persona_id: null, created_at: at, updated_at: at };
}

/** A fake core holding facts, answering the `speasy.facts.*` operations. */
function factsCore(initial: Fact[]) {
  let facts = initial.slice();
  const core = installFakeCore({
    chatkit: (r: ChatKitCall) => {
      const id = r.params.fact_id as string;
      const set = (patch: Partial<Fact>) => {
        facts = facts.map((f) => (f.id === id ? { ...f, ...patch } : f));
        return facts.find((f) => f.id === id);
      };
      switch (r.type) {
        case "speasy.facts.list":
          return facts.filter((f) => (r.params.status as string[]).includes(f.status));
        case "speasy.facts.save":
          return set({ status: "saved" });
        case "speasy.facts.discard":
          return set({ status: "discarded" });
        case "speasy.facts.update":
          return set({ text: r.params.text as string });
        case "speasy.facts.delete":
          facts = facts.filter((f) => f.id !== id);
          return {};
        default:
          throw { kind: "invalid_input", message: r.type };
      }
    },
  });
  return { core, facts: () => facts };
}

describe("FactsPanel", () => {
  it("lists pending and saved facts; Save, Discard, edit and delete go to the core", async () => {
    const state = factsCore([fact("f1", "Cat is Miso", "pending"), fact("f2", "Lives in Porto", "saved"), fact("f3", "Likes tea", "pending")]);
    const user = userEvent.setup();
    render(<FactsPanel version={0} onClose={vi.fn()} />);

    const pending = await screen.findByRole("region", { name: "Waiting for you" });
    const saved = screen.getByRole("region", { name: "Saved facts" });
    expect(within(pending).getAllByTestId("fact").map((f) => f.querySelector(".fact-text")?.textContent)).toEqual(["Cat is Miso", "Likes tea"]);
    expect(within(saved).getByText("Lives in Porto")).toBeInTheDocument();

    await user.click(within(within(pending).getAllByTestId("fact")[0] as HTMLElement).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(screen.getByRole("region", { name: "Saved facts" })).getByText("Cat is Miso")).toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "Discard" }));
    await waitFor(() => expect(screen.queryByText("Likes tea")).not.toBeInTheDocument());
    expect(state.facts().find((f) => f.id === "f3")?.status).toBe("discarded");

    await user.click(screen.getByRole("button", { name: "Edit “Lives in Porto”" }));
    const box = screen.getByRole("textbox", { name: "Fact" });
    await user.clear(box);
    await user.type(box, "Lives in Lisbon{Enter}");
    expect(await screen.findByText("Lives in Lisbon")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Delete “Cat is Miso”" }));
    await waitFor(() => expect(screen.queryByText("Cat is Miso")).not.toBeInTheDocument());
    expect(state.facts().map((f) => f.text)).toEqual(["Lives in Lisbon", "Likes tea"]);
  });

  it("says so when nothing is saved", async () => {
    factsCore([]);
    render(<FactsPanel version={0} onClose={vi.fn()} />);
    expect(await screen.findByText(/Nothing saved yet/)).toBeInTheDocument();
  });
});
