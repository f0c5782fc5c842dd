/**
 * Reads are recorded for TTL cleanup, but at most once per entry per interval however many pulls happen
 * (SPEC §5): deciding against the stream makes concurrent pulls agree on one event.
 */
export interface RecordRead {
  readonly at: Date
  readonly minIntervalMs: number
}

export const readIsDue = (last: Date | undefined, command: RecordRead): boolean =>
  last === undefined || command.at.getTime() - last.getTime() >= command.minIntervalMs

/**
 * Whether the last recorded read is at or after `since` (none asked: never). An entry is read again long
 * before its TTL runs out only if a read is recorded then, and one is always due then: its last one is days old.
 */
export const readSince = (last: Date | undefined, since: Date | undefined): boolean =>
  since !== undefined && last !== undefined && last.getTime() >= since.getTime()
