import { afterEach, describe, expect, it } from "vitest";

import { routeDrop } from "../../App";
import { mockShell } from "../../components/testing";
import { dropForTest, takeDroppedFiles } from "../../lib/drops";

afterEach(() => {
  takeDroppedFiles();
  window.location.hash = "";
});

describe("a file dropped on the window", () => {
  it("opens the Import wizard when the shell recognises an import format", async () => {
    const mock = mockShell({ import_detect: (args) => (args.token === "kdbx" ? "kdbx" : null) });
    window.location.hash = "#/secrets";
    dropForTest([{ token: "kdbx", name: "team.kdbx", size: 10 }]);
    await routeDrop();
    expect(window.location.hash).toBe("#/import");
    expect(mock.of("import_detect")).toEqual([{ token: "kdbx" }]);
  });

  it("opens the register wizard for anything else, or several files", async () => {
    const mock = mockShell({ import_detect: () => null });
    window.location.hash = "#/secrets";
    dropForTest([{ token: "pem", name: "tls.pem", size: 10 }]);
    await routeDrop();
    expect(window.location.hash).toBe("#/register");
    takeDroppedFiles();
    window.location.hash = "#/jobs";
    dropForTest([
      { token: "a", name: "a.env", size: 10 },
      { token: "b", name: "b.crt", size: 10 },
    ]);
    await routeDrop();
    expect(window.location.hash).toBe("#/register");
    expect(mock.of("import_detect")).toHaveLength(1);
  });

  it("stays with the wizard on screen", async () => {
    const mock = mockShell({ import_detect: () => "csv" });
    window.location.hash = "#/register/certificate";
    dropForTest([{ token: "c", name: "a.csv", size: 10 }]);
    await routeDrop();
    expect(window.location.hash).toBe("#/register/certificate");
    window.location.hash = "#/import";
    await routeDrop();
    expect(window.location.hash).toBe("#/import");
    expect(mock.of("import_detect")).toHaveLength(0);
  });
});
