import type { Summary } from "../lib/stats.js"

/** What SPEC §9 asks of a figure; `ratio` targets compare ours with distribution's medians. */
export type Target =
  | { readonly kind: "atLeastTheirs" }
  | { readonly kind: "atMostTheirs" }
  | { readonly kind: "atMost"; readonly value: number }
  | { readonly kind: "below"; readonly value: number }
  | { readonly kind: "atLeast"; readonly value: number }
  | { readonly kind: "info" }

export interface Figure {
  readonly scenario: string
  readonly metric: string
  readonly unit: string
  readonly ours: Summary
  /** Distribution's, where it does the same thing; null for our event store. */
  readonly theirs: Summary | null
  readonly target: Target
}

/** Ours over theirs, medians; null when there is nothing to compare with. */
export const ratioOf = (figure: Figure): number | null =>
  figure.theirs === null || figure.theirs.median === 0 ? null : figure.ours.median / figure.theirs.median

/** Pass, fail, or null for figures given for context only. */
export const verdictOf = (figure: Figure): boolean | null => {
  const ours = figure.ours.median
  const theirs = figure.theirs?.median
  switch (figure.target.kind) {
    case "atLeastTheirs":
      return theirs === undefined ? null : ours >= theirs
    case "atMostTheirs":
      return theirs === undefined ? null : ours <= theirs
    case "atMost":
      return ours <= figure.target.value
    case "below":
      return ours < figure.target.value
    case "atLeast":
      return ours >= figure.target.value
    case "info":
      return null
  }
}

export const targetText = (figure: Figure): string => {
  switch (figure.target.kind) {
    case "atLeastTheirs":
      return "≥ distribution"
    case "atMostTheirs":
      return "≤ distribution"
    case "atMost":
      return `≤ ${figure.target.value} ${figure.unit}`
    case "below":
      return `< ${figure.target.value} ${figure.unit}`
    case "atLeast":
      return `≥ ${figure.target.value} ${figure.unit}`
    case "info":
      return "(context)"
  }
}
