/** Sidebar date groups: Pinned, Today, Yesterday, Previous 7 days, Previous 30 days, then
 *  one group per month ("March 2026"), by the thread's last activity in local time. */
let monthFormat: Intl.DateTimeFormat | null = null; // made on first use (locale data is big)

function startOfDay(time: number): number {
  const d = new Date(time);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

export function dateGroup(updatedAt: string, pinned: boolean, now: number = Date.now()): string {
  if (pinned) return "Pinned";
  const time = Date.parse(updatedAt);
  if (Number.isNaN(time)) return "Older";
  const today = startOfDay(now);
  const day = 24 * 60 * 60 * 1000;
  if (time >= today) return "Today";
  if (time >= today - day) return "Yesterday";
  if (time >= today - 7 * day) return "Previous 7 days";
  if (time >= today - 30 * day) return "Previous 30 days";
  monthFormat ??= new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric" });
  return monthFormat.format(time);
}
