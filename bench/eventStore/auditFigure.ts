import { Either } from "effect"
import type { VerifyReport } from "../../src/application/audit/verify.js"
import { summarize } from "../lib/stats.js"
import type { Figure } from "../report/Figure.js"

/**
 * `audit verify` on the bench log as a figure that passes or fails, with the lines that say why: a failed audit
 * is a result of the run, printed and counted with the others, not the end of the run. Nothing appends while it
 * runs, so it must read exactly the events replay read.
 */
export const auditFigure = (
  scenario: string,
  verified: Either.Either<VerifyReport, { readonly message: string }>,
  replayedEvents: number,
  seconds: number
): { readonly figure: Figure; readonly lines: ReadonlyArray<string> } => {
  const intact = Either.isRight(verified) && verified.right.ok && verified.right.events === replayedEvents
  const lines = Either.match(verified, {
    onLeft: (error) => [`  audit verify failed after ${seconds.toFixed(1)} s: ${error.message}`],
    onRight: (report) => [
      `  audit verify: ${report.events} of ${replayedEvents} events, ${report.streams} streams, ok ${report.ok} in ${seconds.toFixed(1)} s`,
      ...(intact ? [] : [`  audit verify report: ${JSON.stringify(report)}`])
    ]
  })
  return {
    figure: {
      scenario,
      metric: "audit verify reads every event replay read, chains and read models intact (1 yes, 0 no)",
      unit: "",
      ours: summarize([intact ? 1 : 0]),
      theirs: null,
      target: { kind: "atLeast", value: 1 }
    },
    lines
  }
}
