// Dates for people: absolute (local date) and relative ("in 12 days").
//
// Expiry dates follow one rule everywhere (status chip, list column, detail
// page, Expiry page groups): whole calendar days between today and the day of
// the expiry, both in the user's local time zone. So an expiry at 09:00
// tomorrow is "tomorrow" at 23:00 today, not "in 10 hours" or "today".

const DAY = 86_400_000;

export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDate(value: string | null | undefined): string {
  const date = parseTime(value);
  if (!date) return "—";
  return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function formatDateTime(value: string | null | undefined): string {
  const date = parseTime(value);
  if (!date) return "—";
  return date.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Whole days from now until `value` (negative in the past), rounded toward now. */
export function daysUntil(value: string | null | undefined, now: Date = new Date()): number | null {
  const date = parseTime(value);
  if (!date) return null;
  return Math.trunc((date.getTime() - now.getTime()) / DAY);
}

export function relative(value: string | null | undefined, now: Date = new Date()): string {
  const date = parseTime(value);
  if (!date) return "";
  const diff = date.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  let text: string;
  if (abs < 60_000) return "just now";
  if (abs < 3_600_000) text = unit(Math.round(abs / 60_000), "minute");
  else if (abs < DAY) text = unit(Math.round(abs / 3_600_000), "hour");
  // Whole days, counted like daysUntil() so badges and dates agree.
  else text = unit(Math.trunc(abs / DAY), "day");
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/**
 * Calendar days from today to the day of `value`, both in the local time zone
 * (0: today, 1: tomorrow, -1: yesterday). Counted on the dates, so daylight
 * saving changes and the time of day do not matter.
 */
export function calendarDaysUntil(value: string | null | undefined, now: Date = new Date()): number | null {
  const date = parseTime(value);
  if (!date) return null;
  const day = Date.UTC(date.getFullYear(), date.getMonth(), date.getDate());
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((day - today) / DAY);
}

/** When an expiry falls, by the rule above: past or not, and in how many calendar days. */
export type ExpiryDay = { past: boolean; days: number };

export function expiryDay(value: string | null | undefined, now: Date = new Date()): ExpiryDay | null {
  const date = parseTime(value);
  const days = calendarDaysUntil(value, now);
  if (!date || days === null) return null;
  return { past: date.getTime() <= now.getTime(), days };
}

/** "today", "tomorrow", "in 5 days", "yesterday", "5 days ago" (calendar days, local time). */
export function relativeDay(value: string | null | undefined, now: Date = new Date()): string {
  const days = calendarDaysUntil(value, now);
  if (days === null) return "";
  if (days === 0) return "today";
  if (days === 1) return "tomorrow";
  if (days === -1) return "yesterday";
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}

/** "expires today", "expires tomorrow", "expires in 5 days", "expired yesterday", ... */
export function expiryText(value: string | null | undefined, now: Date = new Date()): string {
  const when = expiryDay(value, now);
  if (!when) return "";
  if (when.past) return when.days === 0 ? "expired today" : `expired ${relativeDay(value, now)}`;
  // Not yet past: a day in the past cannot happen, but clocks differ.
  return when.days <= 0 ? "expires today" : `expires ${relativeDay(value, now)}`;
}

/** `2027-01-31` for a date input, from RFC 3339: the local date. */
export function toDateInput(value: string | null | undefined): string {
  const date = parseTime(value);
  if (!date) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** RFC 3339 (local midnight of that day, in UTC) from a date input's value. */
export function fromDateInput(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
