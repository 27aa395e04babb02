import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

describe("ipc boundary", () => {
  it("only src/ipc/ imports @tauri-apps/* (tests may use the mocks)", () => {
    const offenders = sourceFiles(SRC)
      .filter((file) => !file.startsWith(path.join(SRC, "ipc") + path.sep))
      .filter((file) => !/\.test\.tsx?$/.test(file) && !file.startsWith(path.join(SRC, "test") + path.sep))
      .filter((file) => /from\s+["']@tauri-apps\/|import\(\s*["']@tauri-apps\//.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(SRC, file));

    expect(sourceFiles(SRC).length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});
