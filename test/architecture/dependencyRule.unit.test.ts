import { spawnSync } from "node:child_process"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"

/**
 * The dependency rule (ARCHITECTURE.md), checked by a maintained tool: dependency-cruiser with the rules in
 * `.dependency-cruiser.cjs`. It follows static, dynamic and type-only imports, so `import type` and lazy
 * `import()` count as much as anything else.
 */
const ROOT = resolve(import.meta.dirname, "../..")
const CONFIG = join(ROOT, ".dependency-cruiser.cjs")
const BIN = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs")
/** A tree that breaks every rule once, so the check is seen to fail when it should. */
const VIOLATING_TREE = join(import.meta.dirname, "violatingTree")

interface Violation {
  readonly rule: string
  readonly from: string
  readonly to: string
}

const cruise = (cwd: string): { readonly modules: number; readonly violations: ReadonlyArray<Violation> } => {
  const run = spawnSync(process.execPath, [BIN, "src", "--config", CONFIG, "--output-type", "json"], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024
  })
  if (run.error !== undefined) throw run.error
  const result: {
    summary: { totalCruised: number; violations: ReadonlyArray<{ rule: { name: string }; from: string; to: string }> }
  } = JSON.parse(run.stdout)
  return {
    modules: result.summary.totalCruised,
    violations: result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }))
  }
}

describe("the dependency rule", () => {
  it("holds for every module under src/", { timeout: 120_000 }, () => {
    const { modules, violations } = cruise(ROOT)
    expect(modules).toBeGreaterThan(200)
    expect(violations).toEqual([])
  })

  it("catches each kind of violation (the check can fail)", { timeout: 120_000 }, () => {
    const found = cruise(VIOLATING_TREE).violations.map((v) => `${v.rule}: ${v.from} → ${v.to}`).sort()
    expect(found).toEqual([
      "adapters-do-not-compose: src/adapters/http/route.ts → src/main.ts",
      "application-has-no-adapter: src/application/useCase.ts → src/adapters/http/route.ts",
      "domain-is-pure: src/domain/Thing.ts → fs",
      "domain-is-pure: src/domain/Thing.ts → src/adapters/http/route.ts",
      "driving-adapters-are-independent: src/adapters/http/route.ts → src/adapters/ui/page.ts",
      "driving-adapters-are-independent: src/adapters/ui/page.ts → src/adapters/http/route.ts",
      "no-import-cycles: src/adapters/http/route.ts → src/adapters/ui/page.ts"
    ])
  })
})
