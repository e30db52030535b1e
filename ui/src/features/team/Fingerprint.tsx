import { fingerprintGroups } from "./model";

/** A fingerprint in its five groups of four, read aloud group by group. */
export function Fingerprint({ value, large }: { value: string; large?: boolean }) {
  const groups = fingerprintGroups(value);
  return (
    <span className={large ? "fingerprint fingerprint-large" : "fingerprint"} aria-label={`Fingerprint ${groups.join(" ")}`}>
      {groups.map((g, i) => (
        <span key={i} className="fp-group">
          {g}
        </span>
      ))}
    </span>
  );
}
