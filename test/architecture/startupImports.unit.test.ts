import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { filesUnder, importsOf, SRC, staticClosure, staticImportsOf } from "./sourceImports.js"

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

  it("serve loads GraphQL with the first GraphQL request, and the database engine it is configured for", () => {
    // What the entry point imports for `serve`: the command and the composition root.
    const serve = new Set([...staticClosure(join(SRC, "serve.ts")), ...staticClosure(join(SRC, "main.ts"))])
    // The closure does reach the HTTP edge and the composition root, so the absences below mean something.
    expect(serve).toContain("fastify")
    expect(serve).toContain(join(SRC, "main.ts"))
    expect([...serve].filter((m) => m === "graphql" || m.startsWith(join(SRC, "adapters/graphql/answer")))).toEqual([])
    expect([...serve].filter((m) => m.startsWith("@electric-sql/pglite") || m.startsWith("@effect/sql-pg"))).toEqual([])
  })
})
