/**
 * Timestamps in the style of the Mastercard (Aiia, .NET) API: seven fractional digits.
 * Payments use an offset (`2024-01-01T00:00:00.0000000+00:00`), provider status uses `Z`.
 */
export function formatOffsetTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000+00:00');
}

export function formatUtcTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** `20240101` (UTC), the prefix of Mastercard payment ids. */
export function compactUtcDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}
