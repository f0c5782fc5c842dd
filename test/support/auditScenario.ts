import { Effect } from "effect"
import { CommandMetadata } from "../../src/application/CommandMetadata.js"
import { EventStore, startOfLog, systemMetadata } from "../../src/application/ports/EventStore.js"
import { changeGroup, createGroup, updateDependencyProxySettings } from "../../src/application/useCases/groups.js"
import { createDeployToken } from "../../src/application/useCases/accessTokens.js"
import { createUser } from "../../src/application/useCases/users.js"

const as = (actor: string) => Effect.provideService(CommandMetadata, systemMetadata(actor))

const lastPosition = EventStore.pipe(
  Effect.flatMap((store) => store.readAll(startOfLog, 100_000)),
  Effect.map((events) => events.at(-1)?.globalPosition ?? 0)
)

/**
 * A group whose settings three different people change, in order: its Owner turns the proxy off, an
 * administrator sets Docker Hub credentials, another administrator turns the TTL policy on (administrators
 * count as Owners and are not members, so the group's members stay its Owner alone). Returns the log
 * position after each, and the three actors as the events record them.
 */
export const threeSettingChanges = Effect.gen(function*() {
  const ownerId = yield* createUser({ username: "olga", email: "olga@x.io", name: "Olga", password: "password-1", admin: false })
  const admin = (name: string) => createUser({ username: name, email: `${name}@x.io`, name, password: "password-1", admin: true })
  const actors = { owner: `user:${ownerId}`, ada: `user:${yield* admin("ada")}`, abe: `user:${yield* admin("abe")}` }
  const group = yield* createGroup({ path: "audited", name: "Audited", parentId: null, ownerUserId: ownerId })
  yield* createDeployToken({ groupId: group, name: "early", username: "early-bird", scopes: ["read_registry"], expiresAt: null })
  const created = yield* lastPosition
  yield* updateDependencyProxySettings(group, { enabled: false }).pipe(as(actors.owner))
  const afterFirst = yield* lastPosition
  yield* updateDependencyProxySettings(group, { identity: "hub-user", secret: "hub-secret-value" }).pipe(as(actors.ada))
  const afterSecond = yield* lastPosition
  yield* changeGroup(group, { _tag: "UpdateImageTtlPolicy", enabled: true, ttlDays: undefined }).pipe(as(actors.abe))
  const afterThird = yield* lastPosition
  return { group, created, afterFirst, afterSecond, afterThird, actors }
})
