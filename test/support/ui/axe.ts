import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { Schema } from "effect"
import type { Page } from "playwright-core"

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")

const Violation = Schema.Struct({
  id: Schema.String,
  impact: Schema.NullOr(Schema.String),
  help: Schema.String,
  targets: Schema.Array(Schema.String)
})
export type Violation = typeof Violation.Type

/** Runs in the page (a string, since the test's TypeScript has no DOM types); returns plain data only. */
const RUN_AXE = `axe.run(document, { resultTypes: ["violations"] }).then((results) => results.violations.map((v) => ({
  id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => n.target.join(" "))
})))`

/** axe-core's violations on the page as it is now. The page's context must bypass CSP (see `newContext`). */
export const axeViolations = async (page: Page): Promise<ReadonlyArray<Violation>> => {
  await page.addScriptTag({ content: await AXE_SOURCE })
  return Schema.decodeUnknownSync(Schema.Array(Violation))(await page.evaluate(RUN_AXE))
}

/** The violations a test must not have: axe's `serious` and `critical` impacts. */
export const seriousOrCritical = (violations: ReadonlyArray<Violation>): ReadonlyArray<Violation> =>
  violations.filter((v) => v.impact === "serious" || v.impact === "critical")
