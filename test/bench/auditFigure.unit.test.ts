import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { auditFigure } from "../../bench/eventStore/auditFigure.js"
import { verdictOf } from "../../bench/report/Figure.js"

const report = { events: 10, streams: 4, chainBreak: null, projectionDifference: null, ok: true }

describe("the bench's audit verify figure", () => {
  it("passes only when verify read every event replay read and found them intact", () => {
    expect(verdictOf(auditFigure("5", Either.right(report), 10, 1).figure)).toBe(true)
  })

  it("fails, with the report printed, when verify read part of the log or found a break", () => {
    const partial = auditFigure("5", Either.right(report), 12, 1)
    expect(verdictOf(partial.figure)).toBe(false)
    expect(partial.lines.at(-1)).toBe(`  audit verify report: ${JSON.stringify(report)}`)
    const broken = { ...report, ok: false, chainBreak: { streamId: "token-15", streamVersion: 721, globalPosition: 7, reason: "version 721 follows 0" } }
    expect(verdictOf(auditFigure("5", Either.right(broken), 10, 1).figure)).toBe(false)
  })

  it("fails, with the reason, when verify could not run to the end", () => {
    const failed = auditFigure("5", Either.left({ message: "the log cannot be read to its end" }), 10, 61)
    expect(verdictOf(failed.figure)).toBe(false)
    expect(failed.lines).toEqual(["  audit verify failed after 61.0 s: the log cannot be read to its end"])
  })
})
