import { describe, expect, it } from "vitest";

import { CofferError } from "../../ipc/client";
import { advice, fingerprintGroups, fingerprintProblem, nameProblem, normalizeFingerprint, secretRef, validateCreate, validateJoin, emptyCreate, emptyJoin } from "./model";

describe("fingerprints", () => {
  it("compare like coffer-team: hex digits only, any case, any separators", () => {
    expect(normalizeFingerprint(" 3F2A-91bc 00de:7788 AbCd ")).toBe("3f2a91bc00de7788abcd");
    expect(fingerprintGroups("3f2a-91bc-00de-7788-abcd")).toEqual(["3f2a", "91bc", "00de", "7788", "abcd"]);
  });
  it("say what is wrong with a typed one before the server is asked", () => {
    expect(fingerprintProblem("")).toMatch(/Type the fingerprint/);
    expect(fingerprintProblem("3f2a-91bc")).toMatch(/20 hex digits.*has 8/);
    expect(fingerprintProblem("3F2A 91BC 00DE 7788 ABCD")).toBeUndefined();
  });
});

describe("the create and join forms", () => {
  it("want a connection string without a password, a display name and an organization name", () => {
    const errors = validateCreate(emptyCreate);
    expect(errors.connection).toMatch(/connection string/);
    expect(Object.keys(errors).sort()).toEqual(["connection", "displayName", "orgName"]);
    const withPassword = { ...emptyCreate, connection: "postgres://coffer:hunter2@db:5432/team", displayName: "Ann", orgName: "Ops" };
    expect(validateCreate(withPassword).connection).toMatch(/basic_auth secret/);
    expect(validateCreate({ ...withPassword, connection: "postgres://coffer@db:5432/team" })).toEqual({});
  });
  it("check names like coffer-team: 1 to 200 printable characters", () => {
    expect(nameProblem("  ")).toBeDefined();
    expect(nameProblem("a\u0007b")).toBeDefined();
    expect(nameProblem("é".repeat(200))).toBeUndefined();
    expect(nameProblem("é".repeat(201))).toBeDefined();
  });
  it("want a Coffer ticket to join", () => {
    expect(validateJoin({ ...emptyJoin, displayName: "Bo", ticket: "hello" }).ticket).toMatch(/not a Coffer invitation/);
    expect(validateJoin({ ...emptyJoin, displayName: "Bo", ticket: "coffer-invite-v1.abc" })).toEqual({});
  });
  it("name secrets as org:name outside Default", () => {
    expect(secretRef("Default", " pg/admin ")).toBe("pg/admin");
    expect(secretRef("Ops", "pg/admin")).toBe("Ops:pg/admin");
    expect(secretRef("Ops", " ")).toBeNull();
  });
});

describe("advice", () => {
  it("explains the team vault's error codes", () => {
    const err = (code: "unreachable" | "invitation_invalid" | "fingerprint_mismatch" | "schema_too_new" | "not_found") =>
      new CofferError({ code, message: "m", detail: null });
    expect(advice(err("unreachable"))).toMatch(/did not answer/);
    expect(advice(err("invitation_invalid"))).toMatch(/new invitation/);
    expect(advice(err("fingerprint_mismatch"))).toMatch(/Nothing was granted/);
    expect(advice(err("schema_too_new"))).toMatch(/upgrade Coffer/);
    expect(advice(err("not_found"))).toBeUndefined();
    expect(advice(new Error("x"))).toBeUndefined();
  });
});
