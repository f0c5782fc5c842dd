import type { CacheUnderTest } from "../caches/CacheUnderTest.js"
import { type Figure, type Target } from "../report/Figure.js"
import { summarize } from "../lib/stats.js"

export type ByCache<T> = Readonly<Record<CacheUnderTest["name"], ReadonlyArray<T>>>

/**
 * A B A B …: each round measures every cache once, one after the other, so a slow spell on the machine
 * (other work runs on it) lands on both rather than on one cache's whole series.
 */
export const alternate = async <T>(
  rounds: number,
  caches: ReadonlyArray<CacheUnderTest>,
  /** The profile window of a round (`<label>-round-<n>`); null when `measure` opens windows of its own. */
  label: string | null,
  measure: (cache: CacheUnderTest, round: number) => Promise<T>
): Promise<ByCache<T>> => {
  const results: Record<CacheUnderTest["name"], Array<T>> = { ours: [], distribution: [] }
  for (let round = 1; round <= rounds; round++) {
    for (const cache of caches) {
      results[cache.name].push(await (label === null ? measure(cache, round) : cache.measuring(`${label}-round-${round}`, () => measure(cache, round))))
    }
  }
  return results
}

/** One figure from both caches' series. */
export const compared = <T>(
  results: ByCache<T>,
  figure: { readonly scenario: string; readonly metric: string; readonly unit: string; readonly target: Target },
  value: (result: T) => number
): Figure => ({
  ...figure,
  ours: summarize(results.ours.map(value)),
  theirs: results.distribution.length === 0 ? null : summarize(results.distribution.map(value))
})
