import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { answerEvents, assistant, at, core, requests, T, userItem, view } from "../../test/chatFixtures";
import { Streamed } from "../../test/fakeCore";
import { levelOf } from "../../chat/useVoice";

function withThread() {
  return core({
    "threads.get_by_id": () => ({ id: T, title: "Weather", created_at: at, status: { type: "active" }, metadata: {}, items: { data: [], has_more: false } }),
    "items.list": () => ({ data: [assistant("a1", "Sunny all day."), userItem("u1", "Weather?")], has_more: false }),
  });
}

describe("voice", () => {
  it("push-to-talk: holding the mic listens, letting go transcribes, the transcript is sent", async () => {
    const fake = core({ "threads.create": () => new Streamed(answerEvents(["It will be sunny."])) });
    view();
    const mic = await screen.findByRole("button", { name: "Hold to talk" });
    await waitFor(() => expect(mic).toBeEnabled());

    fireEvent.pointerDown(mic);
    await waitFor(() => expect(requests(fake, "speasy.voice.listen").map((r) => r.params)).toEqual([{ mode: "push_to_talk" }]));
    act(() => fake.emitVoice({ type: "listening", mode: "push_to_talk" }));
    expect(mic).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByText("Listening… Let go to send.")).toBeInTheDocument();
    act(() => fake.emitVoice({ type: "level", db: -30 }));
    expect(mic.style.getPropertyValue("--ring-scale")).toBe(String(1 + levelOf(-30) * 0.6));

    fireEvent.pointerUp(mic);
    await waitFor(() => expect(requests(fake, "speasy.voice.release")).toHaveLength(1));
    act(() => fake.emitVoice({ type: "transcribing" }));
    expect(screen.getByText("Transcribing…")).toBeInTheDocument();
    act(() => {
      fake.emitVoice({ type: "transcript", text: "Will it rain tomorrow?" });
      fake.emitVoice({ type: "listening_stopped" });
    });

    expect(await screen.findByText("It will be sunny.")).toBeInTheDocument();
    const sent = requests(fake, "threads.create")[0];
    expect(sent?.params).toEqual({ input: { content: [{ type: "input_text", text: "Will it rain tomorrow?" }], attachments: [], inference_options: {} } });
    // Push-to-talk answers are not read aloud (voice mode's are).
    expect(sent?.metadata).toEqual({ persona_id: "builtin-assistant" });
    expect(mic).toHaveAttribute("aria-pressed", "false");
  });

  it("voice mode: hands-free listening, answers asked to be spoken, and turning it off stops both", async () => {
    const fake = core({ "threads.create": () => new Streamed(answerEvents(["Sure."])) });
    const user = userEvent.setup();
    view();
    const toggle = await screen.findByRole("button", { name: "Voice mode" });
    await waitFor(() => expect(toggle).toBeEnabled());
    await user.click(toggle);
    await waitFor(() => expect(requests(fake, "speasy.voice.listen").map((r) => r.params)).toEqual([{ mode: "hands_free" }]));
    act(() => fake.emitVoice({ type: "listening", mode: "hands_free" }));
    expect(toggle).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "Hold to talk" })).toBeDisabled();

    act(() => fake.emitVoice({ type: "speech_started" }));
    expect(screen.getByText("Hearing you…")).toBeInTheDocument();
    act(() => fake.emitVoice({ type: "transcript", text: "Set a timer" }));
    expect(await screen.findByText("Sure.")).toBeInTheDocument();
    expect(requests(fake, "threads.create")[0]?.metadata).toEqual({ persona_id: "builtin-assistant", speak: true });
    // Still listening for the next thing said.
    expect(screen.getByText("Listening…")).toBeInTheDocument();

    await user.click(toggle);
    expect(requests(fake, "speasy.voice.stop_listening")).toHaveLength(1);
    expect(requests(fake, "speasy.voice.stop_speaking")).toHaveLength(1);
  });

  it("reads a message aloud and offers to stop while it is read", async () => {
    const fake = withThread();
    const user = userEvent.setup();
    view({ threadId: T });
    const answer = await screen.findByRole("article", { name: "Speasy said" });
    await user.click(within(answer).getByRole("button", { name: "Read aloud" }));
    expect(requests(fake, "speasy.voice.read").map((r) => r.params)).toEqual([{ thread_id: T, item_id: "a1" }]);

    act(() => fake.emitVoice({ type: "speaking", item_id: "a1" }));
    await user.click(within(answer).getByRole("button", { name: "Skip sentence" }));
    expect(requests(fake, "speasy.voice.skip")).toHaveLength(1);
    await user.click(within(answer).getByRole("button", { name: "Stop reading" }));
    expect(requests(fake, "speasy.voice.stop_speaking")).toHaveLength(1);
    expect(within(answer).getByRole("button", { name: "Read aloud" })).toBeInTheDocument();

    act(() => {
      fake.emitVoice({ type: "speaking", item_id: "a1" });
      fake.emitVoice({ type: "speaking_done", item_id: "a1" });
    });
    expect(within(answer).getByRole("button", { name: "Read aloud" })).toBeInTheDocument();
  });

  it("says what went wrong with voice, with the way to fix it", async () => {
    const fake = core({});
    const cb = view();
    const mic = await screen.findByRole("button", { name: "Hold to talk" });
    await waitFor(() => expect(mic).toBeEnabled());
    fireEvent.pointerDown(mic);
    await waitFor(() => expect(requests(fake, "speasy.voice.listen")).toHaveLength(1));
    act(() =>
      fake.emitVoice({
        type: "error",
        error: { kind: "voice_no_device", message: "No microphone was found. Plug one in, or pick another input in Settings → Voice." },
      }),
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("No microphone was found");
    await userEvent.setup().click(within(alert).getByRole("button", { name: "Open settings" }));
    expect(cb.onOpenSettings).toHaveBeenCalled();
  });

  it("a listen request the core refuses shows its error", async () => {
    const fake = core({
      "speasy.voice.listen": () => {
        throw { kind: "voice_not_configured", message: "No service is set up for speech-to-text." };
      },
    });
    view();
    const toggle = await screen.findByRole("button", { name: "Voice mode" });
    await waitFor(() => expect(toggle).toBeEnabled());
    await userEvent.setup().click(toggle);
    expect(await screen.findByRole("alert")).toHaveTextContent("No service is set up for speech-to-text.");
    expect(requests(fake, "speasy.voice.listen")).toHaveLength(1);
  });
});
