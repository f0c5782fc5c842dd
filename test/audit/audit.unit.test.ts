import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { settingsHistory } from "../../src/application/audit/settingsHistory.js"
import { groupStateAt } from "../../src/application/audit/stateAt.js"
import { verify } from "../../src/application/audit/verify.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import type { JsonObject } from "../../src/domain/Json.js"
import { Kinds } from "../../src/domain/views.js"
import { memoryApp } from "../support/testApp.js"
import { threeSettingChanges } from "../support/auditScenario.js"

describe("audit on the memory store", () => {
  it.effect("history lists the three changes with their actors, old → new, and never the secret", () =>
    Effect.gen(function*() {
      const { group, actors } = yield* threeSettingChanges
      const history = yield* settingsHistory(group)
      expect(history.map(({ actor, setting, from, to }) => ({ actor, setting, from, to }))).toEqual([
        { actor: actors.owner, setting: "enabled", from: "true", to: "false" },
        { actor: actors.ada, setting: "identity", from: null, to: "hub-user" },
        { actor: actors.ada, setting: "secret", from: null, to: "changed" },
        { actor: actors.abe, setting: "ttl_policy.enabled", from: "false", to: "true" }
      ])
      expect(JSON.stringify(history)).not.toContain("hub-secret-value")
    }).pipe(Effect.provide(memoryApp())))

  it.effect("state at a moment between changes shows the values of that moment", () =>
    Effect.gen(function*() {
      const { afterFirst, afterSecond, created } = yield* threeSettingChanges
      const atCreation = Option.getOrThrow(yield* groupStateAt("AUDITED", { _tag: "Position", position: created }))
      const between = Option.getOrThrow(yield* groupStateAt("audited", { _tag: "Position", position: afterFirst }))
      const later = Option.getOrThrow(yield* groupStateAt("audited", { _tag: "Position", position: afterSecond }))
      expect(atCreation.group.settings).toMatchObject({ enabled: true, identity: null, secretSet: false })
      expect(between.group.settings).toMatchObject({ enabled: false, identity: null, secretSet: false })
      expect(later.group.settings).toMatchObject({ enabled: false, identity: "hub-user", secretSet: true })
      expect(later.members.map((m) => [m.username, m.accessLevel])).toEqual([["olga", 50]])
      expect(later.tokens.map((t) => [t.kind, t.username, t.revoked])).toEqual([["deploy", "early-bird", false]])
      expect(JSON.stringify(later)).not.toContain("digest")
      const before = yield* groupStateAt("audited", { _tag: "Position", position: 1 })
      expect(Option.isNone(before)).toBe(true)
    }).pipe(Effect.provide(memoryApp())))

  it.effect("state at a time uses the events recorded up to that time (TestClock)", () =>
    Effect.gen(function*() {
      const { group } = yield* threeSettingChanges
      yield* TestClock.adjust("2 hours")
      yield* updateDependencyProxySettings(group, { enabled: true })
      const oneHourIn = new Date(60 * 60 * 1000)
      const then = Option.getOrThrow(yield* groupStateAt("audited", { _tag: "Time", at: oneHourIn }))
      const now = Option.getOrThrow(yield* groupStateAt("audited", { _tag: "Time", at: new Date(3 * 60 * 60 * 1000) }))
      expect(then.group.settings.enabled).toBe(false)
      expect(now.group.settings.enabled).toBe(true)
      const beforeAnything = yield* groupStateAt("audited", { _tag: "Time", at: new Date(-1) })
      expect(Option.isNone(beforeAnything)).toBe(true)
    }).pipe(Effect.provide(memoryApp())))

  it.effect("verify passes on an untouched log", () =>
    Effect.gen(function*() {
      yield* threeSettingChanges
      const report = yield* verify
      expect(report).toMatchObject({ ok: true, chainBreak: null, projectionDifference: null })
      expect(report.events).toBeGreaterThan(8)
    }).pipe(Effect.provide(memoryApp())))

  it.effect("verify compares documents as their views write them: one written before a field existed is no difference, a changed value is", () =>
    Effect.gen(function*() {
      yield* threeSettingChanges
      const models = yield* ReadModels
      // The live user documents as an earlier version wrote them, without `endedSessions` (sign-out, ADR 0032).
      const liveWith = (change: (doc: JsonObject) => JsonObject) =>
        Effect.provideService(ReadModels, {
          ...models,
          snapshot: models.snapshot.pipe(Effect.map((rows) => rows.map((row) => (row.kind === Kinds.user ? { ...row, doc: change(row.doc) } : row))))
        })
      const withoutField = ({ endedSessions: _, ...rest }: JsonObject) => rest
      expect(yield* verify.pipe(liveWith(withoutField))).toMatchObject({ ok: true, projectionDifference: null })
      const tampered = yield* verify.pipe(liveWith((doc) => ({ ...withoutField(doc), admin: true })))
      expect(tampered).toMatchObject({ ok: false, projectionDifference: { kind: Kinds.user } })
      const keyAdded = yield* verify.pipe(liveWith((doc) => ({ ...doc, role: "owner" })))
      expect(keyAdded).toMatchObject({ ok: false, projectionDifference: { kind: Kinds.user } })
    }).pipe(Effect.provide(memoryApp())))
})
