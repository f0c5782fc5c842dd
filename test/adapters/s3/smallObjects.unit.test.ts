import { describe, expect, it } from "vitest"
import { makeSmallObjects } from "../../../src/adapters/s3/smallObjects.js"

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill)

describe("the S3 store's memory of small objects", () => {
  it("keeps objects up to the size limit and refuses larger ones", () => {
    const small = makeSmallObjects({ maxObjectBytes: 10, maxTotalBytes: 100 })
    small.remember("a", bytes(10))
    small.remember("b", bytes(11))
    expect(small.get("a")).toEqual(bytes(10))
    expect(small.get("b")).toBeUndefined()
    expect([small.fits(10), small.fits(11)]).toEqual([true, false])
  })

  it("drops the least recently used first when the total is exceeded; a read counts as a use", () => {
    const small = makeSmallObjects({ maxObjectBytes: 10, maxTotalBytes: 30 })
    small.remember("a", bytes(10, 1))
    small.remember("b", bytes(10, 2))
    small.remember("c", bytes(10, 3))
    expect(small.get("a")).toEqual(bytes(10, 1)) // a is now the most recent; b the least
    small.remember("d", bytes(10, 4))
    expect(["a", "b", "c", "d"].map((k) => small.get(k) !== undefined)).toEqual([true, false, true, true])
  })

  it("forgets on removal, and remembering the same digest twice counts its bytes once", () => {
    const small = makeSmallObjects({ maxObjectBytes: 10, maxTotalBytes: 20 })
    small.remember("a", bytes(10))
    small.remember("a", bytes(10))
    small.remember("b", bytes(10))
    expect(small.get("a")).toBeDefined()
    expect(small.get("b")).toBeDefined()
    small.forget("a")
    expect(small.get("a")).toBeUndefined()
    small.remember("c", bytes(10))
    small.remember("d", bytes(5))
    // b (10) + c (10) + d (5) exceeds 20: b, the least recently used, goes.
    expect(["b", "c", "d"].map((k) => small.get(k) !== undefined)).toEqual([false, true, true])
  })
})
