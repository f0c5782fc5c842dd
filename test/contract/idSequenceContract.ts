import { expect, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { randomUUID } from "node:crypto"
import { IdSequence } from "../../src/application/ports/IdSequence.js"

/** Registers the IdSequence contract: 1, 2, 3, … per kind, kinds independent, concurrent callers never share. */
export const idSequenceContract = <E>(name: string, sequenceLayer: Layer.Layer<IdSequence, E>): void =>
  layer(sequenceLayer, { excludeTestServices: true, timeout: "120 seconds" })(`${name} (id sequence contract)`, (it) => {
    it.effect("counts 1, 2, 3 per kind, each kind on its own", () =>
      Effect.gen(function*() {
        const ids = yield* IdSequence
        const prefix = randomUUID().slice(0, 8)
        const users = `${prefix}-user`
        const groups = `${prefix}-group`
        expect([yield* ids.next(users), yield* ids.next(users), yield* ids.next(users)]).toEqual([1, 2, 3])
        expect(yield* ids.next(groups)).toBe(1)
        expect(yield* ids.next(users)).toBe(4)
        expect(yield* ids.next(groups)).toBe(2)
      }))

    it.effect("concurrent callers get distinct consecutive ids", () =>
      Effect.gen(function*() {
        const ids = yield* IdSequence
        const kind = `${randomUUID().slice(0, 8)}-token`
        const values = yield* Effect.all(Array.from({ length: 10 }, () => ids.next(kind)), { concurrency: "unbounded" })
        expect([...values].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      }))
  })
