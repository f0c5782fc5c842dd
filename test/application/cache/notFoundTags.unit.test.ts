import { describe, expect, it } from "vitest"
import { notFoundTags } from "../../../src/application/cache/notFoundTags.js"

const T0 = 1_700_000_000_000

describe("remembered 404s of tags", () => {
  it("are remembered for the TTL, to the millisecond, then forgotten", () => {
    const missing = notFoundTags(60_000)
    missing.remember("1/alpine:edge", T0)
    expect(missing.has("1/alpine:edge", T0 + 59_999)).toBe(true)
    expect(missing.has("1/alpine:edge", T0 + 60_000)).toBe(false)
    // Expired entries go: asking again later does not bring them back.
    expect(missing.has("1/alpine:edge", T0)).toBe(false)
  })

  it("are per key: another group or tag is not affected", () => {
    const missing = notFoundTags(60_000)
    missing.remember("1/alpine:edge", T0)
    expect(missing.has("2/alpine:edge", T0)).toBe(false)
    expect(missing.has("1/alpine:latest", T0)).toBe(false)
  })

  it("a tag fetched after all is forgotten at once", () => {
    const missing = notFoundTags(60_000)
    missing.remember("1/alpine:edge", T0)
    missing.forget("1/alpine:edge")
    expect(missing.has("1/alpine:edge", T0 + 1)).toBe(false)
  })

  it("a TTL of 0 remembers nothing", () => {
    const missing = notFoundTags(0)
    missing.remember("1/alpine:edge", T0)
    expect(missing.has("1/alpine:edge", T0)).toBe(false)
  })

  it("hold at most 10,000 tags, dropping the oldest first", () => {
    const missing = notFoundTags(60_000)
    for (let i = 0; i <= 10_000; i++) missing.remember(`1/app:${i}`, T0 + i)
    expect(missing.has("1/app:0", T0 + 10_000)).toBe(false)
    expect(missing.has("1/app:1", T0 + 10_000)).toBe(true)
    expect(missing.has("1/app:10000", T0 + 10_000)).toBe(true)
  })
})
