import { useEffect, useState } from "react";

import type { AppInfo } from "../bindings/AppInfo";
import { appInfo, toSpeasyError, type SpeasyError } from "../ipc";
import { ErrorMessage } from "./ErrorMessage";

export function About() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<SpeasyError | null>(null);

  useEffect(() => {
    let live = true;
    appInfo().then(
      (loaded) => live && setInfo(loaded),
      (reason: unknown) => live && setError(toSpeasyError(reason)),
    );
    return () => {
      live = false;
    };
  }, []);

  return (
    <section className="card about" aria-labelledby="about-heading">
      <h2 id="about-heading">About</h2>
      {error && <ErrorMessage error={error} title="Couldn’t read app information" />}
      {info && (
        <dl className="about-list">
          <div>
            <dt>Version</dt>
            <dd data-testid="about-version">{info.version}</dd>
          </div>
          <div>
            <dt>Data folder</dt>
            <dd data-testid="about-data-dir" className="path">
              {info.data_dir}
            </dd>
          </div>
          <div>
            <dt>Database</dt>
            <dd data-testid="about-database" className="path">
              {info.database_path} <span className="muted">(schema {info.schema_version})</span>
            </dd>
          </div>
          <div>
            <dt>Key storage</dt>
            <dd data-testid="about-secret-backend">{info.secret_backend}</dd>
          </div>
        </dl>
      )}
      {!info && !error && <p className="muted">Loading…</p>}
      <p className="muted small">
        Type set in Inter, © The Inter Project Authors, under the SIL Open Font License 1.1 (shipped with
        the app on Linux).
      </p>
    </section>
  );
}
