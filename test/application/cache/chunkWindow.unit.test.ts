import { describe, expect, it } from "vitest"
import { ChunkWindow } from "../../../src/application/cache/ChunkWindow.js"

const bytes = (from: number, length: number) => Uint8Array.from({ length }, (_, i) => (from + i) % 256)
const joined = (views: ReadonlyArray<Uint8Array> | null) => (views === null ? null : [...Buffer.concat(views)])

describe("the window of a transfer's newest bytes", () => {
  it("gives views of the run holding a position, up to the end asked for, across the run's chunks", () => {
    const window = new ChunkWindow(100)
    window.push(0, [bytes(0, 4), bytes(4, 6)], 0)
    window.push(10, [bytes(10, 5)], 10)
    expect(joined(window.slice(0, 100))).toEqual([...bytes(0, 10)])
    expect(joined(window.slice(3, 8))).toEqual([...bytes(3, 5)])
    // One run at a time: the next run's bytes come with the next call.
    expect(joined(window.slice(8, 15))).toEqual([...bytes(8, 2)])
    expect(joined(window.slice(12, 15))).toEqual([...bytes(12, 3)])
    expect(window.slice(15, 20)).toBeNull()
  })

  it("lets the oldest runs go past its limit, but only those the store holds entirely", () => {
    const window = new ChunkWindow(10)
    window.push(0, [bytes(0, 8)], 0)
    window.push(8, [bytes(8, 8)], 0)
    // Over the limit, but the store has nothing yet: both stay.
    expect(window.start).toBe(0)
    window.push(16, [bytes(16, 8)], 8)
    expect(window.start).toBe(8)
    expect(window.slice(4, 8)).toBeNull()
    expect(joined(window.slice(9, 12))).toEqual([...bytes(9, 3)])
  })

  it("keeps the newest runs up to its limit although every client has read them: a client joining late finds them", () => {
    const window = new ChunkWindow(20)
    window.push(0, [bytes(0, 8)], 0)
    window.push(8, [bytes(8, 8)], 8)
    // Both in the store and within the limit: both stay for a request that has yet to arrive.
    expect(window.start).toBe(0)
    expect(joined(window.slice(0, 4))).toEqual([...bytes(0, 4)])
    window.push(16, [bytes(16, 8)], 16)
    expect(window.start).toBe(8)
  })

  it("is empty after clear, and ignores empty runs", () => {
    const window = new ChunkWindow(10)
    window.push(0, [], 0)
    expect(window.start).toBe(Number.POSITIVE_INFINITY)
    window.push(0, [bytes(0, 3)], 0)
    window.clear()
    expect(window.slice(0, 3)).toBeNull()
    expect(window.start).toBe(Number.POSITIVE_INFINITY)
  })
})
