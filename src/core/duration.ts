/**
 * Durations in scenario files: a number (seconds) or a string with a unit, "300ms", "30s",
 * "1.5min", "2h". Returns milliseconds, or null when the text is not a duration.
 */
export function parseDurationMs(v: number | string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v * 1000 : null;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|min|h)?\s*$/.exec(v);
  if (!m) return null;
  const x = Number(m[1]);
  switch (m[2] ?? 's') {
    case 'ms':
      return x;
    case 's':
      return x * 1000;
    case 'min':
      return x * 60_000;
    case 'h':
      return x * 3_600_000;
    default:
      return null;
  }
}
