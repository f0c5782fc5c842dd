import { Clock, Effect, Either, Metric, Option } from "effect"
import { GroupDecider } from "../../domain/group/GroupDecider.js"
import { CREDENTIALS_REJECTION_REFRESH_MS } from "../../domain/group/upstreamCredentials.js"
import type { NoteUpstreamCredentials } from "../../domain/group/GroupCommands.js"
import { GroupStream, streamId } from "../../domain/streams.js"
import { CommandMetadata } from "../CommandMetadata.js"
import { decision, handleCommand } from "../commandHandler.js"
import { LiveView } from "../LiveView.js"
import { EventStore, systemMetadata } from "../ports/EventStore.js"
import { type UpstreamCaller, type UpstreamError, UpstreamRegistry, type UpstreamRegistryShape } from "../ports/UpstreamRegistry.js"

export const credentialsRejections = Metric.counter("dependency_proxy_upstream_credentials_rejected_total", {
  description: "Upstream calls refused because a group's Docker Hub credentials were rejected (401/403 from the upstream's token endpoint)"
})

/** Who records what pulls learn of credentials: the service, not the user whose pull happened to find out. */
const RECORDER = "system:upstream-credentials"

/**
 * The upstream port, watched for what its answers say about groups' Docker Hub credentials (issue 15): a
 * rejection is logged (one warning line: group and status, never the secret), counted, and recorded on the
 * group's stream when it is news; a success with credentials last seen rejected clears that. The view is
 * asked first, so an ordinary pull appends nothing and reads no stream.
 */
export const watchedUpstream = Effect.gen(function*() {
  const upstream = yield* UpstreamRegistry
  const view = yield* LiveView
  const store = yield* EventStore

  const groupOf = (groupId: number) => view.current.pipe(Effect.map((state) => Option.getOrNull(state.group(groupId))))

  const record = (groupId: number, command: NoteUpstreamCredentials) =>
    handleCommand(Effect.succeed([decision(GroupStream, GroupDecider, streamId(GroupStream.category, groupId), () => Either.right(command))])).pipe(
      Effect.provideService(EventStore, store),
      Effect.provideService(CommandMetadata, systemMetadata(RECORDER)),
      // The pull's own answer matters more than this note: a store that cannot take it is logged, not passed on.
      Effect.catchAll((error) => Effect.logWarning("could not record the health of a group's Docker Hub credentials", { groupId, error: error._tag }))
    )

  const rejected = (caller: UpstreamCaller, identity: string, status: number) =>
    Effect.gen(function*() {
      yield* Metric.increment(credentialsRejections)
      const group = yield* groupOf(caller.groupId)
      yield* Effect.logWarning("the upstream rejected a group's Docker Hub credentials", {
        group: group?.fullPath ?? String(caller.groupId),
        identity,
        upstreamStatus: status
      })
      const now = new Date(yield* Clock.currentTimeMillis)
      const known = group?.settings.credentialsRejected ?? null
      const news = known === null || known.status !== status || now.getTime() - known.at.getTime() >= CREDENTIALS_REJECTION_REFRESH_MS
      if (news) yield* record(caller.groupId, { _tag: "NoteUpstreamCredentials", identity, outcome: { _tag: "Rejected", status, at: now } })
    }).pipe(Effect.catchTag("EventStoreUnavailable", (error) => Effect.logWarning("could not read the group for its credential health", { error: error._tag })))

  const accepted = (caller: UpstreamCaller, identity: string) =>
    groupOf(caller.groupId).pipe(
      Effect.flatMap((group) =>
        group?.settings.credentialsRejected == null
          ? Effect.void
          : record(caller.groupId, { _tag: "NoteUpstreamCredentials", identity, outcome: { _tag: "Accepted" } })
      ),
      Effect.catchTag("EventStoreUnavailable", (error) => Effect.logWarning("could not read the group for its credential health", { error: error._tag }))
    )

  const watch = <A>(caller: UpstreamCaller, call: Effect.Effect<A, UpstreamError>): Effect.Effect<A, UpstreamError> => {
    const credentials = caller.credentials
    if (credentials === null) return call
    return call.pipe(Effect.tapBoth({
      onFailure: (error) => (error._tag === "UpstreamCredentialsRejected" ? rejected(caller, credentials.identity, error.status) : Effect.void),
      onSuccess: () => accepted(caller, credentials.identity)
    }))
  }

  return {
    ...upstream,
    headManifest: (caller, repository, reference, options) => watch(caller, upstream.headManifest(caller, repository, reference, options)),
    getManifest: (caller, repository, reference) => watch(caller, upstream.getManifest(caller, repository, reference)),
    headBlob: (caller, repository, digest) => watch(caller, upstream.headBlob(caller, repository, digest)),
    getBlob: (caller, repository, digest) => watch(caller, upstream.getBlob(caller, repository, digest)),
    tags: (caller, repository) => watch(caller, upstream.tags(caller, repository))
  } satisfies UpstreamRegistryShape
})
