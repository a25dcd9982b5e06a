/** Time zones offered in forms: every IANA zone the runtime knows, sorted. */
let cached: string[] | null = null;

export function timeZoneChoices(): string[] {
  if (!cached) {
    const all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
    cached = [...new Set(['UTC', ...all])].sort();
  }
  return cached;
}
