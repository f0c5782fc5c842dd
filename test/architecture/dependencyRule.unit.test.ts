import { join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { filesUnder, importsOf, SRC } from "./sourceImports.js"

/**
 * The dependency rule, checked mechanically: the domain imports only `effect` and itself; the application
 * imports the domain, `effect` and Node built-ins, never an adapter; nothing outside `main.ts`, `cli.ts` and the
 * adapters picks an adapter.
 */
/** The top folder (or file) under src/ a relative import reaches, named as the source file (`main.ts`). */
const layerOf = (file: string, specifier: string): string => {
  const target = specifier.startsWith(".") ? relative(SRC, resolve(join(file, ".."), specifier)).replace(/\.js$/, ".ts") : specifier
  return target.split("/")[0] ?? target
}

const violations = (layer: string, allowed: (specifier: string, targetLayer: string) => boolean) =>
  filesUnder(join(SRC, layer)).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !allowed(specifier, layerOf(file, specifier)))
      .map((specifier) => `${relative(SRC, file)} imports ${specifier}`)
  )

describe("the dependency rule", () => {
  it("finds the imports it checks (the scanner itself works)", () => {
    const sample = importsOf(join(SRC, "application/commandHandler.ts"))
    expect(sample).toContain("effect")
    expect(sample.some((s) => s.startsWith("../domain/"))).toBe(true)
  })

  it("domain imports only effect and the domain", () => {
    expect(violations("domain", (s, target) => s === "effect" || (s.startsWith(".") && target === "domain"))).toEqual([])
  })

  it("application imports no adapter and no framework", () => {
    expect(
      violations("application", (s, target) =>
        s === "effect" || s.startsWith("node:") || (s.startsWith(".") && (target === "domain" || target === "application")))
    ).toEqual([])
  })

  it("adapters do not import the composition root", () => {
    expect(violations("adapters", (s, target) => !(s.startsWith(".") && (target === "main.ts" || target === "cli.ts")))).toEqual([])
  })
})
