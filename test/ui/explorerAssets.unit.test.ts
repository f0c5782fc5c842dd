import { describe, expect, it } from "vitest"
import { isExplorerAsset } from "../../src/adapters/ui/explorerAssets.js"

describe("the GraphQL explorer's asset names", () => {
  it("are its own files, not what every object inherits (a 500 before, for `constructor`)", () => {
    for (const inherited of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) expect(isExplorerAsset(inherited)).toBe(false)
    expect(isExplorerAsset("explorer.js")).toBe(true)
    expect(isExplorerAsset("explorer.css")).toBe(true)
  })
})
