import { Either } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Connection, decodeCursor, encodeCursor, INVALID_CURSOR, MAX_PAGE_SIZE, paginate, type PaginationArgs } from "../../src/adapters/graphql/connection.js"

/** Keys newest first, as the group's listings come. */
const keys = (n: number) => Array.from({ length: n }, (_, i) => (n - i) * 10)
const page = (items: ReadonlyArray<number>, args: PaginationArgs): Connection<number> =>
  Either.getOrThrow(paginate(items, (k) => k, args))
const nodes = (c: Connection<number>) => c.edges.map((e) => e.node)

describe("GitLab-style cursor pagination", () => {
  it("writes cursors as GitLab's keyset cursors: base64url of {\"id\":\"<key>\"}", () => {
    expect(encodeCursor(123)).toBe("eyJpZCI6IjEyMyJ9")
    expect(Either.getOrThrow(decodeCursor("eyJpZCI6IjEyMyJ9"))).toBe(123)
  })

  it.each(["", "not a cursor", Buffer.from("{}").toString("base64url"), Buffer.from(JSON.stringify({ id: "x" })).toString("base64url")])(
    "refuses the cursor %j with GitLab's message",
    (cursor) => {
      const refused = paginate(keys(3), (k) => k, { after: cursor })
      expect(Either.isLeft(refused) && refused.left.message).toBe(INVALID_CURSOR)
    }
  )

  it("pages forwards with first/after and backwards with last/before", () => {
    const items = keys(5) // 50 40 30 20 10
    const one = page(items, { first: 2 })
    expect(nodes(one)).toEqual([50, 40])
    expect(one.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: encodeCursor(50), endCursor: encodeCursor(40) })
    expect(one.count).toBe(5)
    const two = page(items, { first: 2, after: one.pageInfo.endCursor })
    expect(nodes(two)).toEqual([30, 20])
    expect(two.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true })
    const three = page(items, { first: 2, after: two.pageInfo.endCursor })
    expect(nodes(three)).toEqual([10])
    expect(three.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true })
    const back = page(items, { last: 2, before: three.pageInfo.startCursor })
    expect(nodes(back)).toEqual([30, 20])
    expect(page(items, { last: 2 }).edges.map((e) => e.node)).toEqual([20, 10])
  })

  it("keeps a cursor's place when the row it names is gone and new rows arrived", () => {
    const first = page(keys(5), { first: 2 })
    // 40 (the end cursor) was removed, 60 was added at the front.
    expect(nodes(page([60, 50, 30, 20, 10], { first: 2, after: first.pageInfo.endCursor }))).toEqual([30, 20])
  })

  it("caps a page at GitLab's 100, by default and when more are asked for; a negative size is 0", () => {
    const items = keys(150)
    expect(page(items, {}).edges).toHaveLength(MAX_PAGE_SIZE)
    expect(page(items, { first: 500 }).edges).toHaveLength(MAX_PAGE_SIZE)
    expect(page(items, { first: -1 }).edges).toHaveLength(0)
    expect(page(items, { first: -1 }).pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null })
  })

  it("walks the whole list forwards, and backwards, in any page size, each item once and in order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 }), (n, size) => {
        const items = keys(n)
        const forwards: Array<number> = []
        let after: string | null = null
        for (let guard = 0; guard <= n; guard++) {
          const p = page(items, { first: size, after })
          forwards.push(...nodes(p))
          if (!p.pageInfo.hasNextPage) break
          after = p.pageInfo.endCursor
        }
        const backwards: Array<number> = []
        let before: string | null = null
        for (let guard = 0; guard <= n; guard++) {
          const p = page(items, { last: size, before })
          backwards.unshift(...nodes(p))
          if (!p.pageInfo.hasPreviousPage) break
          before = p.pageInfo.startCursor
        }
        expect(forwards).toEqual(items)
        expect(backwards).toEqual(items)
      })
    )
  })
})
