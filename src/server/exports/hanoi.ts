// Calendar days and wall-clock time in Hanoi (UTC+07:00, no daylight saving),
// where every ward of the campaign is. Export filters (?from=&to=), ages,
// visit dates and XLSX date cells all use these, so a visit at 06:30 on 2 Aug
// in Hanoi (23:30Z on 1 Aug) is a visit of 2 Aug everywhere.
export const HANOI_OFFSET_MS = 7 * 60 * 60 * 1000;
const OFFSET_MS = HANOI_OFFSET_MS;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The instant a Hanoi calendar day (YYYY-MM-DD) starts. */
export const startOfHanoiDay = (day: string) => new Date(`${day}T00:00:00.000+07:00`);

/** [from, to) instants of the inclusive Hanoi days from..to. */
export function hanoiRange(from?: string, to?: string): { from?: Date; to?: Date } {
  return {
    ...(from ? { from: startOfHanoiDay(from) } : {}),
    ...(to ? { to: new Date(startOfHanoiDay(to).getTime() + DAY_MS) } : {}),
  };
}

/** The Hanoi calendar day of an instant (ms since the epoch), YYYY-MM-DD. */
export const hanoiDay = (ms: number) => new Date(ms + OFFSET_MS).toISOString().slice(0, 10);

/** The year in Hanoi at an instant. */
export const hanoiYear = (now: Date) => new Date(now.getTime() + OFFSET_MS).getUTCFullYear();

/**
 * A Date whose UTC fields are the Hanoi wall-clock time of `ms`: spreadsheet
 * cells have no time zone, so an XLSX date-time cell (xlsx-writer.ts) holds
 * the time a volunteer in Hanoi saw on their phone.
 */
export const hanoiWallClock = (ms: number) => new Date(ms + OFFSET_MS);
