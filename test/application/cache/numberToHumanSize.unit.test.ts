import { describe, expect, it } from "vitest"
import { numberToHumanSize } from "../../../src/application/cache/numberToHumanSize.js"

// Expected texts are what Rails' number_to_human_size (ActiveSupport, en locale) answers for the same bytes.
describe("numberToHumanSize, as Rails (and so GitLab) writes sizes", () => {
  it.each([
    [0, "0 Bytes"],
    [1, "1 Byte"],
    [500, "500 Bytes"],
    [1023, "1023 Bytes"],
    [1024, "1 KB"],
    [1234, "1.21 KB"],
    [1536, "1.5 KB"],
    // 1.125 exactly: half up gives 1.13 where banker's rounding would give 1.12.
    [1152, "1.13 KB"],
    [10_234, "9.99 KB"],
    // 9.995… rounds to 10.0, which has one significant decimal too many and loses it.
    [10_235, "10 KB"],
    [1_048_575, "1020 KB"],
    [1_048_576, "1 MB"],
    [2_001_500, "1.91 MB"],
    [12_345_678, "11.8 MB"],
    [72 * 1024 ** 2, "72 MB"],
    [5 * 1024 ** 3, "5 GB"],
    [1.5 * 1024 ** 4, "1.5 TB"],
    [2 * 1024 ** 5, "2 PB"]
  ])("%d bytes read %j", (bytes, text) => {
    expect(numberToHumanSize(bytes)).toBe(text)
  })
})
