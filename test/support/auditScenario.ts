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
 * A group whose settings three different people change, in order: Owner turns the proxy off, a second
 * Owner sets Docker Hub credentials, a third turns the TTL policy on. Returns the log position after each.
 */
export const threeSettingChanges = Effect.gen(function*() {
  const ownerId = yield* createUser({ username: "olga", email: "olga@x.io", name: "Olga", password: "password-1", admin: false })
  const group = yield* createGroup({ path: "audited", name: "Audited", parentId: null, ownerUserId: ownerId })
  yield* createDeployToken({ groupId: group, name: "early", username: "early-bird", scopes: ["read_registry"], expiresAt: null })
  const created = yield* lastPosition
  yield* updateDependencyProxySettings(group, { enabled: false }).pipe(as("user:10"))
  const afterFirst = yield* lastPosition
  yield* updateDependencyProxySettings(group, { identity: "hub-user", secret: "hub-secret-value" }).pipe(as("user:11"))
  const afterSecond = yield* lastPosition
  yield* changeGroup(group, { _tag: "UpdateImageTtlPolicy", enabled: true, ttlDays: undefined }).pipe(as("user:12"))
  const afterThird = yield* lastPosition
  return { group, created, afterFirst, afterSecond, afterThird }
})
