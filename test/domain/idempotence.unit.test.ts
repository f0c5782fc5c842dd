import { it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck } from "effect"
import { describe, expect } from "vitest"
import { type ClaimName, NameClaimDecider, NameClaimed } from "../../src/domain/claim/NameClaim.js"
import { type Decider, fold } from "../../src/domain/Decider.js"
import type { GroupCommand } from "../../src/domain/group/GroupCommands.js"
import { GroupDecider } from "../../src/domain/group/GroupDecider.js"
import { MAX_MANIFEST_CHECK_INTERVAL_SECONDS } from "../../src/domain/group/proxySettings.js"
import { GroupCreated, GroupEvent } from "../../src/domain/group/GroupEvents.js"
import { SsoDecider, SsoEvent } from "../../src/domain/sso/SsoSession.js"
import { TokenDecider, type TokenCommand } from "../../src/domain/token/TokenDecider.js"
import { TokenCreated, TokenEvent } from "../../src/domain/token/TokenEvents.js"
import { type UserCommand, UserDecider } from "../../src/domain/user/UserDecider.js"
import { UserCreated, UserEvent } from "../../src/domain/user/UserEvents.js"

/**
 * Retries and double-submitted forms repeat commands; for the commands below a repeat must not grow the log.
 * Decide, apply the events, decide again: the second decision records nothing. When the first decision is a
 * rejection the state is unchanged, so a repeat must be the very same rejection.
 */
const expectIdempotent = <Command, Event, State, Failure>(
  decider: Decider<Command, Event, State, Failure>,
  state: State,
  command: Command
): void => {
  const first = decider.decide(command, state)
  if (Either.isLeft(first)) {
    expect(decider.decide(command, state)).toStrictEqual(first)
    return
  }
  const after = first.right.reduce(decider.evolve, state)
  expect(decider.decide(command, after)).toStrictEqual(Either.right([]))
}

// States are folded from a creation event plus arbitrary later events, so they include every reachable
// setting and many unreachable ones; the property must hold for all of them.
const stateOf = <Event, State>(
  decider: Decider<never, Event, State, unknown>,
  creation: FastCheck.Arbitrary<Event>,
  events: FastCheck.Arbitrary<Event>
): FastCheck.Arbitrary<State> =>
  FastCheck.tuple(creation, FastCheck.array(events, { maxLength: 20 })).map(([created, rest]) => fold(decider, [created, ...rest]))

const groupState = stateOf(GroupDecider, Arbitrary.make(GroupCreated), Arbitrary.make(GroupEvent))
const userState = stateOf(UserDecider, Arbitrary.make(UserCreated), Arbitrary.make(UserEvent))
const tokenState = stateOf(TokenDecider, Arbitrary.make(TokenCreated), Arbitrary.make(TokenEvent))
// An SSO session's state may also be absent: ending a session that never started is a repeat, too.
const ssoState = FastCheck.array(Arbitrary.make(SsoEvent), { maxLength: 20 }).map((events) => fold(SsoDecider, events))

const optional = <A>(arbitrary: FastCheck.Arbitrary<A>) => FastCheck.option(arbitrary, { nil: undefined })
const cleared = FastCheck.constantFrom(null, "")

const groupCommands: FastCheck.Arbitrary<GroupCommand> = FastCheck.oneof(
  optional(FastCheck.boolean()).map((enabled): GroupCommand => ({
    _tag: "UpdateDependencyProxySettings",
    enabled,
    identity: undefined,
    secret: undefined,
    sealedSecret: null
  })),
  // Clearing credentials is a repeatable request too; setting them is not (a sealed secret cannot be compared).
  FastCheck.tuple(optional(FastCheck.boolean()), cleared, cleared).map(([enabled, identity, secret]): GroupCommand => ({
    _tag: "UpdateDependencyProxySettings",
    enabled,
    identity,
    secret,
    sealedSecret: null
  })),
  FastCheck.tuple(optional(FastCheck.boolean()), optional(FastCheck.integer({ min: 1, max: 36500 }))).map(
    ([enabled, ttlDays]): GroupCommand => ({ _tag: "UpdateImageTtlPolicy", enabled, ttlDays })
  ),
  FastCheck.boolean().map((enforced): GroupCommand => ({ _tag: "SetSsoEnforcement", enforced })),
  FastCheck.boolean().map((enabled): GroupCommand => ({ _tag: "SetServeStaleOnNotFound", enabled })),
  FastCheck.integer({ min: 0, max: MAX_MANIFEST_CHECK_INTERVAL_SECONDS }).map((seconds): GroupCommand => ({
    _tag: "SetManifestCheckInterval",
    seconds
  }))
)

const userCommands: FastCheck.Arbitrary<UserCommand> = FastCheck.oneof(
  FastCheck.constant<UserCommand>({ _tag: "BlockUser" }),
  FastCheck.constant<UserCommand>({ _tag: "UnblockUser" }),
  FastCheck.boolean().map((enabled): UserCommand => ({ _tag: "SetTwoFactor", enabled })),
  FastCheck.boolean().map((admin): UserCommand => ({ _tag: "SetAdmin", admin }))
)

// The interval starts at 1 ms: with an interval of 0 the decider records every use, even two at the same
// instant (its check is `elapsed >= minIntervalMs`), so there is nothing to coalesce.
const tokenUse: FastCheck.Arbitrary<TokenCommand> = FastCheck.tuple(
  FastCheck.date({ noInvalidDate: true }),
  FastCheck.integer({ min: 1, max: 24 * 3600 * 1000 })
).map(([at, minIntervalMs]): TokenCommand => ({ _tag: "RecordTokenUse", at, minIntervalMs }))

describe("idempotent commands", () => {
  it.prop("group settings, TTL policy, SSO enforcement, serve stale and check interval", [groupState, groupCommands], ([state, command]) => {
    expectIdempotent(GroupDecider, state, command)
  })

  it.prop("block, unblock, two-factor and admin", [userState, userCommands], ([state, command]) => {
    expectIdempotent(UserDecider, state, command)
  })

  it.prop("recording a token use twice at the same instant", [tokenState, tokenUse], ([state, command]) => {
    expectIdempotent(TokenDecider, state, command)
  })

  it.prop("ending an SSO session", [ssoState], ([state]) => {
    expectIdempotent(SsoDecider, state, { _tag: "EndSsoSession" })
  })

  it.prop(
    "claiming a name by its owner, whether free or already held by that owner",
    [Arbitrary.make(NameClaimed), FastCheck.boolean(), FastCheck.array(Arbitrary.make(NameClaimed), { maxLength: 5 })],
    ([claimed, alreadyHeld, later]) => {
      const command: ClaimName = { _tag: "ClaimName", field: "username", name: "alice", ownerId: claimed.ownerId }
      const state = fold(NameClaimDecider, alreadyHeld ? [claimed, ...later] : [])
      expectIdempotent(NameClaimDecider, state, command)
      // Unlike the others, a repeated claim must succeed outright: the owner's retry is not a conflict.
      expect(NameClaimDecider.decide(command, state)).toMatchObject({ _tag: "Right" })
    }
  )
})

// The rejection branch of `expectIdempotent` is only a fallback; this keeps the group property honest by
// showing most generated cases take the interesting branch, where events are applied and decided again.
it("mostly exercises accepted commands", () => {
  const samples = FastCheck.sample(FastCheck.tuple(groupState, groupCommands), { numRuns: 500, seed: 42 })
  const accepted = samples.filter(([state, command]) => Either.isRight(GroupDecider.decide(command, state))).length
  expect(accepted).toBeGreaterThan(samples.length * 0.7)
})
