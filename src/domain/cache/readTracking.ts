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
