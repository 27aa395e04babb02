/**
 * Actions: what reaches the host (server vs client handler, defaults, the sync flag, payload
 * merging), loading behaviours while the host works, and form value collection.
 */
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { toWidgetAction } from "./actions";
import { closest, deferred, fixture, ITEM_ID, recordingHost, renderWidget } from "./testing";
import { Widget } from "./Widget";

function card(...children: unknown[]) {
  return { type: "Card", children };
}

function button(props: Record<string, unknown>) {
  return { type: "Button", label: "Go", ...props };
}

function widgetRoot(container: HTMLElement): HTMLElement {
  return container.querySelector(".ck-widget") as HTMLElement;
}

describe("toWidgetAction", () => {
  it("fills in the defaults", () => {
    expect(toWidgetAction({ type: "a.b" })).toEqual({ type: "a.b", handler: "server", loadingBehavior: "auto", streaming: true });
  });

  it("keeps what the config says, and ignores invalid values", () => {
    expect(toWidgetAction({ type: "x", payload: [1], handler: "client", loadingBehavior: "self", streaming: false })).toEqual({
      type: "x",
      payload: [1],
      handler: "client",
      loadingBehavior: "self",
      streaming: false,
    });
    expect(toWidgetAction({ type: "x", handler: "browser", loadingBehavior: "spin", streaming: "no" })).toEqual({
      type: "x",
      handler: "server",
      loadingBehavior: "auto",
      streaming: true,
    });
  });

  it("merges field values over an object payload, and replaces any other payload", () => {
    expect(toWidgetAction({ type: "x", payload: { a: 1, b: 2 } }, { b: "two", c: true })?.payload).toEqual({ a: 1, b: "two", c: true });
    expect(toWidgetAction({ type: "x", payload: "raw" }, { c: null })?.payload).toEqual({ c: null });
    expect(toWidgetAction({ type: "x", payload: "raw" }, {})?.payload).toBe("raw");
  });

  it("rejects configs without a type", () => {
    expect(toWidgetAction({ payload: {} })).toBeUndefined();
    expect(toWidgetAction({ type: "" })).toBeUndefined();
    expect(toWidgetAction(null)).toBeUndefined();
    expect(toWidgetAction("fact.save")).toBeUndefined();
  });
});

describe("dispatch", () => {
  it("sends server actions to serverAction and client actions to clientAction, with the item id", async () => {
    const { host } = renderWidget(
      card(
        button({ label: "Server", onClickAction: { type: "s", payload: { n: 1 } } }),
        button({ label: "Client", onClickAction: { type: "c", handler: "client" } }),
      ),
    );
    await userEvent.click(screen.getByRole("button", { name: "Server" }));
    await userEvent.click(screen.getByRole("button", { name: "Client" }));
    expect(host.serverAction).toHaveBeenCalledExactlyOnceWith(
      { type: "s", payload: { n: 1 }, handler: "server", loadingBehavior: "auto", streaming: true },
      ITEM_ID,
    );
    expect(host.clientAction).toHaveBeenCalledExactlyOnceWith(
      { type: "c", handler: "client", loadingBehavior: "auto", streaming: true },
      ITEM_ID,
    );
  });

  it("passes streaming: false through, so the host can use threads.sync_custom_action", async () => {
    const { host } = renderWidget(card(button({ onClickAction: { type: "quick", streaming: false } })));
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    expect(host.serverAction.mock.calls[0]?.[0].streaming).toBe(false);
  });

  it("does nothing for a button without a (valid) action", async () => {
    const { host } = renderWidget(card(button({}), button({ label: "Bad", onClickAction: { payload: {} } })));
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    await userEvent.click(screen.getByRole("button", { name: "Bad" }));
    expect(host.serverAction).not.toHaveBeenCalled();
    expect(host.clientAction).not.toHaveBeenCalled();
  });

  it("treats a submit button outside any form as a plain button", async () => {
    const { host } = renderWidget(card(button({ submit: true, onClickAction: { type: "go" } })));
    const go = screen.getByRole("button", { name: "Go" });
    expect(go).toHaveAttribute("type", "button");
    await userEvent.click(go);
    expect(host.serverAction).toHaveBeenCalledWith(expect.objectContaining({ type: "go" }), ITEM_ID);
  });

  it("survives a client handler that throws", async () => {
    const host = recordingHost();
    host.clientAction.mockImplementation(() => {
      throw new Error("no handler");
    });
    renderWidget(card(button({ onClickAction: { type: "c", handler: "client" } })), host);
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    expect(host.clientAction).toHaveBeenCalledOnce();
    expect(screen.getByRole("button", { name: "Go" })).toBeEnabled();
  });
});

describe("loading behaviour", () => {
  it("auto on a Button is self: that button spins and is disabled until the host is done", async () => {
    const host = recordingHost();
    const pending = deferred();
    host.serverAction.mockReturnValue(pending.promise);
    const { container } = renderWidget(card(button({ onClickAction: { type: "slow" } }), button({ label: "Other" })), host);
    const go = screen.getByRole("button", { name: "Go" });
    await userEvent.click(go);
    expect(go).toBeDisabled();
    expect(go).toHaveAttribute("aria-busy", "true");
    expect(within(go).getByTestId("widget-spinner")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Other" })).toBeEnabled();
    expect(widgetRoot(container)).not.toHaveAttribute("aria-busy");

    await act(async () => pending.resolve());
    expect(go).toBeEnabled();
    expect(go).not.toHaveAttribute("aria-busy");
    expect(within(go).queryByTestId("widget-spinner")).toBeNull();
  });

  it("container marks the whole widget busy and inert", async () => {
    const host = recordingHost();
    const pending = deferred();
    host.serverAction.mockReturnValue(pending.promise);
    const { container } = renderWidget(card(button({ onClickAction: { type: "slow", loadingBehavior: "container" } })), host);
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    const root = widgetRoot(container);
    expect(root).toHaveAttribute("aria-busy", "true");
    expect(root).toHaveAttribute("inert");
    expect(screen.getByRole("button", { name: "Go", hidden: true })).toBeEnabled();

    await act(async () => pending.resolve());
    expect(root).not.toHaveAttribute("aria-busy");
    expect(root).not.toHaveAttribute("inert");
  });

  it("none shows nothing", async () => {
    const host = recordingHost();
    host.serverAction.mockReturnValue(deferred().promise);
    const { container } = renderWidget(card(button({ onClickAction: { type: "slow", loadingBehavior: "none" } })), host);
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    expect(screen.getByRole("button", { name: "Go" })).toBeEnabled();
    expect(screen.queryByTestId("widget-spinner")).toBeNull();
    expect(widgetRoot(container)).not.toHaveAttribute("aria-busy");
  });

  it("a failing host ends the loading state, for self and container alike", async () => {
    const host = recordingHost();
    const first = deferred();
    const second = deferred();
    host.serverAction.mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const { container } = renderWidget(
      card(button({ label: "Self", onClickAction: { type: "a" } }), button({ label: "Box", onClickAction: { type: "b", loadingBehavior: "container" } })),
      host,
    );
    await userEvent.click(screen.getByRole("button", { name: "Self" }));
    expect(screen.getByRole("button", { name: "Self" })).toBeDisabled();
    await act(async () => first.reject(new Error("offline")));
    expect(screen.getByRole("button", { name: "Self" })).toBeEnabled();

    await userEvent.click(screen.getByRole("button", { name: "Box" }));
    expect(widgetRoot(container)).toHaveAttribute("aria-busy", "true");
    await act(async () => second.reject(new Error("offline")));
    expect(widgetRoot(container)).not.toHaveAttribute("aria-busy");
  });

  it("Card confirm/cancel default to container; an action may ask for self instead", async () => {
    const host = recordingHost();
    const confirm = deferred();
    const cancel = deferred();
    host.serverAction.mockReturnValueOnce(confirm.promise).mockReturnValueOnce(cancel.promise);
    const { container } = renderWidget(
      {
        type: "Card",
        children: [{ type: "Text", value: "Sure?" }],
        confirm: { label: "Yes", action: { type: "yes" } },
        cancel: { label: "No", action: { type: "no", loadingBehavior: "self" } },
      },
      host,
    );
    await userEvent.click(screen.getByRole("button", { name: "Yes" }));
    expect(widgetRoot(container)).toHaveAttribute("aria-busy", "true");
    await act(async () => confirm.resolve());
    expect(widgetRoot(container)).not.toHaveAttribute("aria-busy");

    await userEvent.click(screen.getByRole("button", { name: "No" }));
    expect(widgetRoot(container)).not.toHaveAttribute("aria-busy");
    expect(screen.getByRole("button", { name: "No" })).toBeDisabled();
    expect(within(screen.getByRole("button", { name: "No" })).getByTestId("widget-spinner")).toBeInTheDocument();
    await act(async () => cancel.resolve());
    expect(screen.getByRole("button", { name: "No" })).toBeEnabled();
  });

  it("a clickable list row is busy while its action runs and ignores further clicks", async () => {
    const host = recordingHost();
    const pending = deferred();
    host.serverAction.mockReturnValue(pending.promise);
    renderWidget(
      {
        type: "ListView",
        children: [{ type: "ListViewItem", onClickAction: { type: "open" }, children: [{ type: "Text", value: "Row" }] }],
      },
      host,
    );
    const row = screen.getByRole("button", { name: "Row" });
    await userEvent.click(row);
    expect(row).toHaveAttribute("aria-busy", "true");
    expect(row).toHaveAttribute("aria-disabled", "true");
    await userEvent.click(row);
    expect(host.serverAction).toHaveBeenCalledOnce();
    await act(async () => pending.resolve());
    expect(row).not.toHaveAttribute("aria-busy");
  });

  it("a click on a button inside a clickable row runs only the button's action", async () => {
    const { host } = renderWidget({
      type: "ListView",
      children: [
        {
          type: "ListViewItem",
          onClickAction: { type: "row", handler: "client" },
          children: [{ type: "Text", value: "Row" }, button({ label: "Inner", onClickAction: { type: "inner" } })],
        },
      ],
    });
    await userEvent.click(screen.getByRole("button", { name: "Inner" }));
    expect(host.serverAction).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ type: "inner" }), ITEM_ID);
    expect(host.clientAction).not.toHaveBeenCalled();
  });
});

describe("forms", () => {
  it("Form submit collects every named control into the payload, merged over it", async () => {
    const host = recordingHost();
    const pending = deferred();
    host.serverAction.mockReturnValue(pending.promise);
    const { container } = renderWidget(fixture("form"), host);

    const destination = screen.getByLabelText("Destination");
    await userEvent.clear(destination);
    await userEvent.type(destination, "Osaka");
    await userEvent.type(screen.getByLabelText("Notes"), ", street food");
    await userEvent.selectOptions(screen.getByLabelText("Travel class"), "business");
    fireEvent.change(screen.getByLabelText("Departure"), { target: { value: "2026-05-02" } });
    await userEvent.click(screen.getByRole("checkbox", { name: "Add travel insurance" }));
    await userEvent.click(screen.getByRole("radio", { name: "Window" }));
    const title = screen.getByRole("textbox", { name: "Trip name" });
    await userEvent.clear(title);
    await userEvent.type(title, "Kansai");
    await userEvent.click(screen.getByRole("button", { name: "Plan trip" }));

    expect(host.serverAction).toHaveBeenCalledExactlyOnceWith(
      {
        type: "trip.plan",
        payload: {
          source: "widget",
          destination: "Osaka",
          notes: "Quiet places, street food",
          class: "business",
          departure: "2026-05-02",
          insurance: false,
          seat: "window",
          title: "Kansai",
        },
        handler: "server",
        loadingBehavior: "auto",
        streaming: true,
      },
      ITEM_ID,
    );
    expect(widgetRoot(container)).toHaveAttribute("aria-busy", "true");
    await act(async () => pending.resolve());
    expect(widgetRoot(container)).not.toHaveAttribute("aria-busy");
  });

  it("Enter in a field submits the form; a required empty field blocks it", async () => {
    const { host } = renderWidget(fixture("form"));
    await userEvent.clear(screen.getByLabelText("Destination"));
    await userEvent.click(screen.getByRole("button", { name: "Plan trip" }));
    expect(host.serverAction).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText("Destination"), "Nara{Enter}");
    expect(host.serverAction).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ payload: expect.objectContaining({ destination: "Nara", seat: "aisle", insurance: true }) }),
      ITEM_ID,
    );
  });

  it("Card asForm: confirm submits the fields, cancel carries them too", async () => {
    const { host } = renderWidget(fixture("card-as-form"));
    const signUp = screen.getByRole("button", { name: "Sign up" });
    expect(signUp).toHaveAttribute("type", "submit");
    await userEvent.click(signUp);
    expect(host.serverAction).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText("Your email"), "ada@example.com");
    await userEvent.click(screen.getByRole("checkbox", { name: "Subscribe to the newsletter" }));
    await userEvent.click(signUp);
    expect(host.serverAction).toHaveBeenLastCalledWith(
      expect.objectContaining({ type: "signup.submit", payload: { list: "weekly", email: "ada@example.com", newsletter: true } }),
      ITEM_ID,
    );
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(host.serverAction).toHaveBeenLastCalledWith(
      expect.objectContaining({ type: "signup.cancel", payload: { email: "ada@example.com", newsletter: true } }),
      ITEM_ID,
    );
  });

  it("a Form nested in a form is a group of the outer one", async () => {
    const { host, container } = renderWidget({
      type: "Card",
      asForm: true,
      children: [
        { type: "Form", onSubmitAction: { type: "inner" }, children: [{ type: "Input", name: "q", defaultValue: "x" }] },
      ],
      confirm: { label: "Send", action: { type: "outer" } },
    });
    expect(container.querySelectorAll("form")).toHaveLength(1);
    expect(screen.getByRole("group")).toHaveClass("ck-form");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(host.serverAction).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ type: "outer", payload: { q: "x" } }), ITEM_ID);
  });
});

describe("change actions", () => {
  it("Select sends its value merged into the payload, and null once cleared", async () => {
    const { host } = renderWidget(fixture("controls"));
    const model = screen.getByRole("combobox", { name: "Pick a model" });
    await userEvent.selectOptions(model, "deep");
    expect(host.serverAction).toHaveBeenLastCalledWith(
      { type: "settings.model", payload: { scope: "thread", model: "deep" }, handler: "server", loadingBehavior: "none", streaming: true },
      ITEM_ID,
    );
    expect(screen.getByText("Takes longer, thinks harder")).toHaveAttribute("id", model.getAttribute("aria-describedby"));

    await userEvent.click(screen.getByRole("button", { name: "Clear Pick a model" }));
    expect(host.serverAction).toHaveBeenLastCalledWith(expect.objectContaining({ payload: { scope: "thread", model: null } }), ITEM_ID);
    expect(model).toHaveValue("");
    expect(screen.queryByText("Takes longer, thinks harder")).toBeNull();
  });

  it("DatePicker, Checkbox and RadioGroup send their new value under their name", async () => {
    const { host } = renderWidget(fixture("controls"));
    // A browser fires `input` then `change` when a date is picked; the action goes once.
    const due = screen.getByLabelText("Due date");
    fireEvent.input(due, { target: { value: "2026-05-01" } });
    fireEvent.change(due);
    expect(host.serverAction).toHaveBeenCalledTimes(1);
    expect(host.serverAction).toHaveBeenLastCalledWith(expect.objectContaining({ type: "task.due", payload: { due: "2026-05-01" } }), ITEM_ID);
    await userEvent.click(screen.getByRole("button", { name: "Clear Due date" }));
    expect(host.serverAction).toHaveBeenLastCalledWith(expect.objectContaining({ type: "task.due", payload: { due: null } }), ITEM_ID);

    await userEvent.click(screen.getByRole("checkbox", { name: "Done" }));
    expect(host.serverAction).toHaveBeenLastCalledWith(expect.objectContaining({ type: "task.done", payload: { task: 7, done: true } }), ITEM_ID);

    await userEvent.click(screen.getByRole("radio", { name: "High" }));
    expect(host.serverAction).toHaveBeenLastCalledWith(expect.objectContaining({ type: "task.priority", payload: { priority: "high" } }), ITEM_ID);
    await waitFor(() => expect(screen.getByRole("radio", { name: "High" })).toBeChecked());
  });

  it("radios outside a form get a widget-unique name, so two widgets of a thread do not share a group", () => {
    const root = card({ type: "RadioGroup", name: "size", options: [{ label: "S", value: "s" }] });
    const host = recordingHost();
    render(
      <>
        <Widget root={root} itemId="item_1" host={host} />
        <Widget root={root} itemId="item_2" host={host} />
      </>,
    );
    const [a, b] = screen.getAllByRole("radio", { name: "S" });
    expect(a?.getAttribute("name")).not.toBe(b?.getAttribute("name"));
    expect(closest(a!, "[role=radiogroup]")).toHaveAccessibleName("Size");
  });
});
