import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { installFakeCore } from "../test/fakeCore";
import { LocalApiSection } from "./LocalApiSection";

describe("Local API settings", () => {
  it("needs a token first, stores it write-only, then serves on the chosen port", async () => {
    const core = installFakeCore();
    const user = userEvent.setup();
    render(<LocalApiSection />);

    expect(await screen.findByTestId("api-state")).toHaveTextContent("Off");
    const toggle = screen.getByRole("checkbox", { name: "Serve the local API while Speasy runs" });
    await user.click(toggle);
    expect(await screen.findByRole("alert")).toHaveTextContent("set a token first");
    expect(toggle).not.toBeChecked();

    const secret = "my-local-token-42";
    await user.type(screen.getByLabelText("Token"), secret);
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.getByTestId("secret-status-api-token")).toHaveTextContent("Set"));
    // The token cannot be removed while the API may need it.
    expect(screen.queryByRole("button", { name: "Remove" })).not.toBeInTheDocument();
    expect(screen.getByLabelText("Token")).toHaveValue("");
    expect(document.body.innerHTML).not.toContain(secret);
    expect(core.secrets.get("api.token")).toBe(secret);

    const port = screen.getByLabelText("Port");
    await user.clear(port);
    await user.type(port, "9123");
    await user.tab();
    await user.click(toggle);
    await waitFor(() => expect(screen.getByTestId("api-state")).toHaveTextContent("Listening at http://127.0.0.1:9123"));
    expect(toggle).toBeChecked();
  });
});
