import markUrl from "../assets/speasy-mark.svg";

export function Welcome() {
  return (
    <section className="panel welcome" aria-labelledby="welcome-heading">
      <img className="welcome-mark" src={markUrl} alt="" width={72} height={72} />
      <h1 id="welcome-heading">Welcome to Speasy</h1>
      <p className="lead">Your AI assistant, local-first. Conversations stay on this computer.</p>
      <ul className="welcome-steps">
        <li>
          Open <strong>Settings</strong> to add an OpenAI or OpenRouter API key. Keys go straight to
          your system keychain.
        </li>
        <li>Search past conversations from the box in the sidebar.</li>
      </ul>
    </section>
  );
}
