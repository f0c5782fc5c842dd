import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { filesUnder, importsOf, SRC, staticImportsOf } from "./sourceImports.js"

/**
 * What a process loads at start is memory and seconds (SPEC §9: idle RSS, `--help` within 1 s; ADR 0010).
 * These packages' indexes load far more than we use (`@effect/platform-node`'s pulls in the cluster, RPC and
 * WebSocket modules: about 30 MiB and a second of start-up), so sources import their modules by subpath.
 */
const WHOLE_PACKAGE_INDEXES = ["@effect/platform", "@effect/platform-node", "@effect/sql", "@effect/sql-pg", "@effect/experimental"]

describe("what starting a process loads", () => {
  it("no source imports the index of a package that loads much more than it needs", () => {
    const offending = filesUnder(SRC).flatMap((file) =>
      importsOf(file).filter((s) => WHOLE_PACKAGE_INDEXES.includes(s)).map((s) => `${relative(SRC, file)} imports ${s}`)
    )
    expect(offending).toEqual([])
  })

  it("the entry point loads only the usage text before it knows the command", () => {
    expect(staticImportsOf(join(SRC, "cli.ts"))).toEqual(["./adapters/cli/usage.js"])
    expect(staticImportsOf(join(SRC, "adapters/cli/usage.ts"))).toEqual([])
    // The scanner sees the commands' modules, loaded once the command is known.
    expect(importsOf(join(SRC, "cli.ts"))).toContain("./main.js")
  })
})
