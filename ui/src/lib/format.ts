// Made on first use: the first screen shows no dates, and creating a formatter loads the
// locale data (megabytes) into the page.
let dateTimeFormat: Intl.DateTimeFormat | null = null;
let dateFormat: Intl.DateTimeFormat | null = null;

/** A readable local date and time for an RFC 3339 timestamp; the raw string if it does not parse. */
export function formatTimestamp(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  return dateTimeFormat.format(time);
}

/** Just the local date, for compact lists; the raw string if it does not parse. */
export function formatDate(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  return dateFormat.format(time);
}
