import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, describe, expect, it, vi } from "vitest";

import type { ApiError } from "../../bindings/ApiError";
import type { StreamEvent } from "../../bindings/StreamEvent";
import type { ThreadItem } from "../../bindings/ThreadItem";
import { answerEvents, assistant, at, core, requests, T, userItem, view } from "../../test/chatFixtures";
import { Streamed } from "../../test/fakeCore";

// Messages load the widget renderer when a widget first appears (as the app does). Loaded once
// here, so the tests' time limits measure the views, not the first transform of the renderer
// and the icon set it pulls in.
beforeAll(async () => {
  await import("../../widgets/Widget");
}, 60_000);

describe("ChatView", () => {
  it("sends with Enter, streams the answer in, announces it by sentence and reports the new thread", async () => {
    const fake = core({ "threads.create": () => new Streamed(answerEvents(["Hi there. ", "How can", " I help?"])) });
    const user = userEvent.setup();
    const cb = view();

    const box = screen.getByRole("textbox", { name: "Message" });
    await waitFor(() => expect(box).toBeEnabled());
    await user.type(box, "Hello{Shift>}{Enter}{/Shift}again");
    expect(box).toHaveValue("Hello\nagain");
    await user.clear(box);
    await user.type(box, "Hello{Enter}");

    expect(await screen.findByText("Hi there. How can I help?")).toBeInTheDocument();
    expect(box).toHaveValue("");
    const create = requests(fake, "threads.create")[0];
    expect(create?.params).toEqual({ input: { content: [{ type: "input_text", text: "Hello" }], attachments: [], inference_options: {} } });
    expect(create?.metadata).toEqual({ persona_id: "builtin-assistant" });
    expect(cb.onCreated).toHaveBeenCalledWith(T);
    await waitFor(() => expect(screen.getByTestId("live-region")).toHaveTextContent("How can I help?"));
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Greetings");
    expect(cb.onChanged).toHaveBeenCalled();
  });

  it("shows Stop while streaming; Stop cancels the turn in the core and keeps the partial text", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const events = answerEvents(["Once upon ", "a time"]);
    const fake = core({
      "threads.create": () => new Streamed(events, { gate: { after: 6, until: gate } }),
      "speasy.threads.cancel": () => {
        release();
        return { cancelled: true };
      },
    });
    const user = userEvent.setup();
    view();
    const box = screen.getByRole("textbox", { name: "Message" });
    await waitFor(() => expect(box).toBeEnabled());
    await user.type(box, "Tell me a story{Enter}");

    expect(await screen.findByText("Once upon")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Stop" }));
    expect(requests(fake, "speasy.threads.cancel").map((r) => r.params)).toEqual([{ thread_id: T }]);
    expect(await screen.findByRole("button", { name: "Send" })).toBeInTheDocument();
    expect(screen.getByRole("article", { name: "Speasy said" })).toHaveTextContent("Once upon a time");
  });

  it("turns an error into a readable message with its next step", async () => {
    const failing: StreamEvent[] = [
      answerEvents([])[0] as StreamEvent,
      { type: "thread.item.done", item: userItem("u1", "Hello") },
      { type: "client_effect", name: "speasy.error", data: { kind: "provider_auth" } },
      { type: "error", code: "custom", message: "Scripted rejected the API key (401).", allow_retry: true },
    ];
    core({ "threads.create": () => new Streamed(failing) });
    const user = userEvent.setup();
    const cb = view();
    const box = screen.getByRole("textbox", { name: "Message" });
    await waitFor(() => expect(box).toBeEnabled());
    await user.type(box, "Hello{Enter}");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("rejected the API key");
    expect(alert).toHaveAttribute("data-error-kind", "provider_auth");
    await user.click(within(alert).getByRole("button", { name: "Open settings" }));
    expect(cb.onOpenSettings).toHaveBeenCalled();
    expect(screen.getByText("Hello")).toBeInTheDocument();
  });

  it("counts down before a rate-limited retry", async () => {
    const limited: StreamEvent[] = [
      answerEvents([])[0] as StreamEvent,
      { type: "client_effect", name: "speasy.error", data: { kind: "provider_rate_limited", retry_after_secs: 2 } },
      { type: "error", code: "custom", message: "Scripted is rate limiting requests (429).", allow_retry: true },
    ];
    core({ "threads.create": () => new Streamed(limited) });
    const user = userEvent.setup();
    view();
    const box = screen.getByRole("textbox", { name: "Message" });
    await waitFor(() => expect(box).toBeEnabled());
    await user.type(box, "Hello{Enter}");
    const retry = await screen.findByRole("button", { name: "Retry in 2 s" });
    expect(retry).toBeDisabled();
    expect(await screen.findByRole("button", { name: "Retry" }, { timeout: 3500 })).toBeEnabled();
  });

  it("disables the composer and says why when no provider is usable", async () => {
    core({
      "speasy.providers.active": () => {
        const error: ApiError = { kind: "no_provider", message: "No model provider is set up." };
        throw error;
      },
    });
    const user = userEvent.setup();
    const cb = view();
    expect(await screen.findByText("No model provider is set up.")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Message" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Open settings" }));
    expect(cb.onOpenSettings).toHaveBeenCalled();
  });

  it("opens a search hit in an older page, highlighted; sends feedback; retries the last answer", async () => {
    const items = Array.from({ length: 70 }, (_, i) => (i % 2 === 0 ? userItem(`i${i}`, `question ${i}`) : assistant(`i${i}`, `answer ${i}`)));
    const fake = core({
      "threads.get_by_id": () => ({ id: T, title: "Long one", created_at: at, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } }),
      "items.list": (r) => {
        const desc = items.slice().reverse();
        const after = r.params.after as string | undefined;
        const start = after ? desc.findIndex((i) => i.id === after) + 1 : 0;
        const limit = r.params.limit as number;
        const data = desc.slice(start, start + limit);
        const more = start + limit < desc.length;
        return { data, has_more: more, ...(more ? { after: data[data.length - 1]?.id } : {}) };
      },
      "items.feedback": () => ({}),
      "threads.retry_after_item": () => new Streamed([{ type: "thread.item.done", item: assistant("again", "A better answer") }]),
    });
    Element.prototype.scrollIntoView = vi.fn();
    const user = userEvent.setup();
    view({ threadId: T, focusItemId: "i2" });

    const hit = await screen.findByText("question 2");
    expect(hit.closest("article")).toHaveAttribute("data-focused", "true");
    expect(Element.prototype.scrollIntoView).toHaveBeenCalled();
    expect(requests(fake, "items.list").length).toBeGreaterThan(1);
    // The persona of the open thread is selected.
    expect(screen.getByRole("combobox", { name: "Persona" })).toHaveValue("builtin-coach");

    const last = screen.getByText("answer 69").closest("article") as HTMLElement;
    await user.click(within(last).getByRole("button", { name: "Good answer" }));
    expect(requests(fake, "items.feedback").map((r) => r.params)).toEqual([{ thread_id: T, item_ids: ["i69"], kind: "positive" }]);
    await waitFor(() => expect(within(last).getByRole("button", { name: "Good answer" })).toHaveAttribute("aria-pressed", "true"));

    await user.click(within(last).getByRole("button", { name: "Retry" }));
    expect(requests(fake, "threads.retry_after_item").map((r) => r.params)).toEqual([{ thread_id: T, item_id: "i68" }]);
    expect(await screen.findByText("A better answer")).toBeInTheDocument();
    expect(screen.queryByText("answer 69")).not.toBeInTheDocument();
  });

  it("runs widget actions: server actions stream, sync ones replace the item, thread.open navigates", async () => {
    const card = {
      type: "Card",
      children: [
        { type: "Text", value: "Remember this?" },
        { type: "Button", label: "Save", onClickAction: { type: "fact.save", payload: { fact_id: "f1" }, handler: "server", loadingBehavior: "auto", streaming: true } },
        { type: "Button", label: "Discard", onClickAction: { type: "fact.discard", payload: { fact_id: "f1" }, handler: "server", loadingBehavior: "auto", streaming: false } },
        { type: "Button", label: "Open", onClickAction: { type: "thread.open", payload: { thread_id: "other" }, handler: "client", loadingBehavior: "auto", streaming: true } },
      ],
    };
    const widgetItem = { id: "w1", thread_id: T, created_at: at, type: "widget", widget: card } as unknown as ThreadItem;
    const saved = { ...widgetItem, widget: { type: "Card", children: [{ type: "Text", value: "Saved to memory" }] } } as unknown as ThreadItem;
    const discarded = { ...widgetItem, widget: { type: "Card", children: [{ type: "Text", value: "Discarded" }] } } as unknown as ThreadItem;
    const fake = core({
      "threads.get_by_id": () => ({ id: T, title: "W", created_at: at, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } }),
      "items.list": () => ({ data: [widgetItem], has_more: false }),
      "threads.custom_action": () => new Streamed([{ type: "thread.item.replaced", item: saved }]),
      "threads.sync_custom_action": () => ({ updated_item: discarded }),
    });
    const user = userEvent.setup();
    const cb = view({ threadId: T });

    await user.click(await screen.findByRole("button", { name: "Open" }));
    expect(cb.onOpenThread).toHaveBeenCalledWith("other");

    await user.click(screen.getByRole("button", { name: "Discard" }));
    expect(await screen.findByText("Discarded")).toBeInTheDocument();
    expect(requests(fake, "threads.sync_custom_action")[0]?.params).toEqual({
      thread_id: T,
      item_id: "w1",
      action: { type: "fact.discard", payload: { fact_id: "f1" } },
    });

    // The card is back to the original for the streamed action.
    await act(async () => undefined);
    expect(requests(fake, "threads.custom_action")).toHaveLength(0);
  });

  it("sends a streaming server action as threads.custom_action and shows the replaced item", async () => {
    const card = {
      type: "Card",
      children: [
        { type: "Text", value: "Remember this?" },
        { type: "Button", label: "Save", onClickAction: { type: "fact.save", payload: { fact_id: "f1" }, handler: "server", loadingBehavior: "auto", streaming: true } },
      ],
    };
    const widgetItem = { id: "w1", thread_id: T, created_at: at, type: "widget", widget: card } as unknown as ThreadItem;
    const saved = { ...widgetItem, widget: { type: "Card", children: [{ type: "Text", value: "Saved to memory" }] } } as unknown as ThreadItem;
    const fake = core({
      "threads.get_by_id": () => ({ id: T, title: "W", created_at: at, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } }),
      "items.list": () => ({ data: [widgetItem], has_more: false }),
      "threads.custom_action": () => new Streamed([{ type: "thread.item.replaced", item: saved }]),
    });
    const user = userEvent.setup();
    const cb = view({ threadId: T });
    await user.click(await screen.findByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved to memory")).toBeInTheDocument();
    expect(requests(fake, "threads.custom_action")[0]?.params).toEqual({
      thread_id: T,
      item_id: "w1",
      action: { type: "fact.save", payload: { fact_id: "f1" } },
    });
    expect(cb.onChanged).toHaveBeenCalled();
  });

  it("gives the text back when the core did not take the message", async () => {
    core({
      "threads.create": () =>
        new Streamed([
          { type: "client_effect", name: "speasy.error", data: { kind: "invalid_input" } },
          { type: "error", code: "custom", message: "Speasy is still answering in this conversation.", allow_retry: false },
        ]),
    });
    const user = userEvent.setup();
    view();
    const box = screen.getByRole("textbox", { name: "Message" });
    await waitFor(() => expect(box).toBeEnabled());
    await user.type(box, "Keep this text{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("still answering");
    await waitFor(() => expect(box).toHaveValue("Keep this text"));
    expect(within(screen.getByRole("alert")).queryByRole("button", { name: /Retry/ })).not.toBeInTheDocument();
  });

  it("does not read out a conversation that was only opened", async () => {
    core({
      "threads.get_by_id": () => ({ id: T, title: "Old", created_at: at, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } }),
      "items.list": () => ({ data: [assistant("a0", "An old answer. With sentences.")], has_more: false }),
    });
    view({ threadId: T });
    expect(await screen.findByText("An old answer. With sentences.")).toBeInTheDocument();
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.getByTestId("live-region")).toHaveTextContent("");
  });

  it("waits for an answer that was started before the conversation was opened", async () => {
    let answering = true;
    const fake = core({
      "threads.get_by_id": () => ({ id: T, title: "Busy", created_at: at, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } }),
      "items.list": () => ({ data: answering ? [userItem("u1", "Hi")] : [assistant("a1", "Finished elsewhere."), userItem("u1", "Hi")], has_more: false }),
      "speasy.threads.get": () => ({ id: T, created_at: at, updated_at: at, pinned: false, answering }),
      "speasy.threads.cancel": () => ({ cancelled: true }),
    });
    const user = userEvent.setup();
    view({ threadId: T });
    expect(await screen.findByText(/Still answering/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Stop" }));
    expect(requests(fake, "speasy.threads.cancel").map((r) => r.params)).toEqual([{ thread_id: T }]);
    answering = false;
    expect(await screen.findByText("Finished elsewhere.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Send" })).toBeInTheDocument();
  });
});
