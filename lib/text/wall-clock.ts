/** `14:05`, or `Tue 14:05` when not today, in local time: when a usage-limit wait ends. */
export function formatWallClock(ms: number, now = Date.now()): string {
  const at = new Date(ms);
  const hhmm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  if (new Date(now).toDateString() === at.toDateString()) return hhmm;
  return `${at.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric' })} ${hhmm}`;
}
