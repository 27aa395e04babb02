import type { ErrorKind } from "../bindings/ErrorKind";

/** A short next step for the person reading an error, where one is obvious from its kind. */
export function errorHint(kind: ErrorKind): string | null {
  switch (kind) {
    case "not_found":
      return "It may have been removed. Refresh and try again.";
    case "invalid_input":
      return "Check what you entered and try again.";
    case "store_not_a_database":
    case "store_corrupt":
      return "The database file is damaged or is not a Speasy database. You can move it aside and start fresh; the old file is kept.";
    case "store_newer_schema":
      return "This database was written by a newer version of Speasy. Update Speasy to open it.";
    case "store_read_only":
      return "Speasy cannot write to its data folder. Check the folder's permissions.";
    case "store_disk_full":
      return "The disk is full. Free some space, then try again.";
    case "store_busy":
      return "Another program is using the database. Close other Speasy windows, then try again.";
    case "store_io":
    case "store_unavailable":
      return "Check that the data folder exists and is reachable, then try again.";
    case "secret_unavailable":
      return "No system keychain is available. Install or start one (for example GNOME Keyring or KWallet) and try again.";
    case "secret_denied":
      return "The system keychain refused access. Unlock it and try again.";
    case "secret":
      return "The system keychain reported an error. Try again; if it persists, check the keychain app.";
    case "no_provider":
      return "Add an OpenAI or OpenRouter key, or start a local model server (Ollama, LM Studio, llama.cpp), in Settings.";
    case "provider_auth":
      return "The provider refused the key. Check it in Settings.";
    case "provider_model_not_found":
      return "Pick another model, or check the provider's base URL.";
    case "provider_context_too_long":
      return "Start a new conversation, or pick a model with a larger context window.";
    case "provider_rate_limited":
      return "The provider is limiting requests. Wait a moment and try again.";
    case "provider_unavailable":
      return "The provider could not be reached or had an error. Check your connection (or that the local server is running) and try again.";
    case "provider_bad_response":
      return "The provider sent something Speasy could not read. Try again, or try another model.";
    case "provider_rejected":
      return "The provider rejected the request. Try another model or rephrase.";
    case "unauthorized":
      return "This request needs a valid access token.";
    case "voice_no_device":
      return "Plug in a microphone or speaker, or pick another one in Settings → Voice.";
    case "voice_permission_denied":
      return "Allow microphone access for Speasy in the system's privacy settings, then try again.";
    case "voice_device":
      return "Check the audio device (plugged in, not used by another app), or pick another one in Settings → Voice.";
    case "voice_no_speech":
      return "Nothing was heard. Speak a little closer to the microphone and try again.";
    case "voice_not_configured":
      return "Choose a speech service in Settings → Voice (an OpenAI key or an ElevenLabs key).";
    case "sync_project":
      return "Check the project URL and publishable key in Settings → Account (Supabase dashboard → Project Settings → API Keys).";
    case "sync_signed_out":
      return "Sign in again in Settings → Account. Nothing on this device is lost; changes wait to be sent.";
    case "sync_account":
      return "Check the email and password, then try again.";
    case "sync_other_account":
      return "This device already syncs with another account. Sign in with that account.";
    case "sync_schema":
      return "Apply Speasy's migrations to the Supabase project (see the README), or update Speasy. Changes wait to be sent.";
    case "sync_unavailable":
      return "Supabase could not be reached. Sync tries again by itself; changes wait to be sent.";
    case "sync_rejected":
      return "Supabase refused a request. Try again; if it persists, check the project's settings.";
    case "internal":
      return "This is a bug in Speasy. Please report it with the message above.";
  }
}
