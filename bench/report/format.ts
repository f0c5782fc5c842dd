import type { Summary } from "../lib/stats.js"

/** Three significant figures or so: enough to compare, not so many they look more precise than they are. */
export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return "–"
  const magnitude = Math.abs(value)
  return value.toFixed(magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3)
}

export const formatSummary = (summary: Summary | null): string =>
  summary === null ? "–" : `${formatNumber(summary.median)} (${formatNumber(summary.min)}–${formatNumber(summary.max)})`
