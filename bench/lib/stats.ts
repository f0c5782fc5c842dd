/** A measurement repeated over rounds: the median and the spread (min–max) of the rounds. */
export interface Summary {
  readonly values: ReadonlyArray<number>
  readonly median: number
  readonly min: number
  readonly max: number
}

export const summarize = (values: ReadonlyArray<number>): Summary => {
  if (values.length === 0) throw new Error("nothing to summarize")
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2
  return { values, median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN }
}
