import { createHash } from "node:crypto"
import { Effect, Layer, Stream } from "effect"
import {
  type ManifestHead,
  type RateLimit,
  type UpstreamBlob,
  type UpstreamCaller,
  UpstreamCredentialsRejected,
  type UpstreamError,
  UpstreamNotFound,
  UpstreamRegistry,
  type UpstreamRegistryShape,
  UpstreamUnavailable
} from "../../application/ports/UpstreamRegistry.js"

export interface MemoryUpstreamOptions {
  /** `{identity: secret}` the upstream accepts; other credentials are rejected as a token endpoint would. */
  readonly users?: Readonly<Record<string, string>>
  /** Repositories only a configured user may read; an entry ending in "/" is a prefix. */
  readonly privateRepos?: ReadonlyArray<string>
}

/** One call the cache made, in order: what unit tests count ("a fresh tag costs one HEAD and no GET"). */
export interface UpstreamCall {
  readonly method: "headManifest" | "getManifest" | "headBlob" | "getBlob" | "tags"
  readonly repository: string
  readonly reference: string
  readonly groupId: number
}

export interface PushedManifest extends ManifestHead {
  readonly body: Uint8Array
}

/**
 * A registry in memory, scripted by the test: what it holds (`pushManifest`, `pushBlob`, `deleteTag`), whether it
 * answers (`setReachable`), how long each answer takes (`setLatency`, on the Effect clock, so `TestClock`
 * drives it) and what its breaker says (`setRefusal`). It answers as the undici adapter does against a real
 * registry: the shared contract suite (`test/contract/upstreamRegistryContract.ts`) runs on both.
 */
export interface MemoryUpstream {
  readonly registry: UpstreamRegistryShape
  readonly layer: Layer.Layer<UpstreamRegistry>
  readonly pushManifest: (repository: string, tag: string | null, manifest: { readonly mediaType: string; readonly body: string | Uint8Array }) => PushedManifest
  readonly pushBlob: (repository: string, bytes: Uint8Array) => { readonly digest: string; readonly size: number }
  readonly deleteTag: (repository: string, tag: string) => void
  readonly setReachable: (reachable: boolean) => void
  readonly setLatency: (ms: number) => void
  readonly setRefusal: (refusedForMs: number | null) => void
  /** Every call so far, in order, refused and failed ones included. */
  readonly calls: () => ReadonlyArray<UpstreamCall>
  readonly count: (method: UpstreamCall["method"]) => number
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

interface Repository {
  readonly tags: Map<string, string>
  readonly manifests: Map<string, PushedManifest>
  readonly blobs: Map<string, Uint8Array>
}

export const makeMemoryUpstream = (options: MemoryUpstreamOptions = {}): MemoryUpstream => {
  const users = options.users ?? {}
  const privateRepos = options.privateRepos ?? []
  const repositories = new Map<string, Repository>()
  const log: Array<UpstreamCall> = []
  let reachable = true
  let latencyMs = 0
  let refusal: number | null = null

  const repositoryNamed = (name: string): Repository => {
    const existing = repositories.get(name)
    if (existing !== undefined) return existing
    const created: Repository = { tags: new Map(), manifests: new Map(), blobs: new Map() }
    repositories.set(name, created)
    return created
  }
  const isPrivate = (name: string) => privateRepos.some((p) => (p.endsWith("/") ? name.startsWith(p) : name === p))

  /**
   * The checks every call goes through, in the order a real registry's token dance meets them: reachable at
   * all, the caller's credentials (its token endpoint), then the repository's access (the registry's 401).
   */
  const answer = <A>(method: UpstreamCall["method"], caller: UpstreamCaller, repository: string, reference: string, found: (repo: Repository) => A | undefined) =>
    Effect.gen(function*() {
      log.push({ method, repository, reference, groupId: caller.groupId })
      if (latencyMs > 0) yield* Effect.sleep(latencyMs)
      if (!reachable) return yield* Effect.fail<UpstreamError>(new UpstreamUnavailable({ reason: "connect ECONNREFUSED (memory upstream is down)" }))
      const credentials = caller.credentials
      if (credentials !== null && users[credentials.identity] !== credentials.secret) return yield* Effect.fail<UpstreamError>(new UpstreamCredentialsRejected({ status: 401 }))
      if (credentials === null && isPrivate(repository)) return yield* Effect.fail<UpstreamError>(new UpstreamNotFound({ status: 401 }))
      const repo = repositories.get(repository)
      const value = repo === undefined ? undefined : found(repo)
      if (value === undefined) return yield* Effect.fail<UpstreamError>(new UpstreamNotFound({ status: 404 }))
      return value
    })

  const manifestAt = (repo: Repository, reference: string) => {
    const digest = reference.startsWith("sha256:") ? reference : repo.tags.get(reference)
    return digest === undefined ? undefined : repo.manifests.get(digest)
  }

  const registry: UpstreamRegistryShape = {
    headManifest: (caller, repository, reference) =>
      answer("headManifest", caller, repository, reference, (repo) => manifestAt(repo, reference)).pipe(
        Effect.map(({ digest, mediaType, size }): ManifestHead => ({ digest, mediaType, size }))
      ),
    getManifest: (caller, repository, reference) =>
      answer("getManifest", caller, repository, reference, (repo) => manifestAt(repo, reference)),
    headBlob: (caller, repository, digest) =>
      answer("headBlob", caller, repository, digest, (repo) => repo.blobs.get(digest)).pipe(Effect.map((bytes) => ({ size: bytes.length }))),
    getBlob: (caller, repository, digest) =>
      answer("getBlob", caller, repository, digest, (repo) => repo.blobs.get(digest)).pipe(
        // One run: the port promises runs of at least BODY_RUN_BYTES, the last smaller, and here it is the last.
        Effect.map((bytes): UpstreamBlob => ({ size: bytes.length, body: Stream.make(Uint8Array.from(bytes)), discard: Effect.void }))
      ),
    tags: (caller, repository) =>
      answer("tags", caller, repository, "", (repo) => (repo.tags.size === 0 ? undefined : [...repo.tags.keys()].sort())),
    rateLimit: Effect.succeed<RateLimit>({ limit: null, remaining: null }),
    refusal: Effect.sync(() => refusal)
  }

  return {
    registry,
    layer: Layer.succeed(UpstreamRegistry, registry),
    pushManifest: (repository, tag, manifest) => {
      const body = typeof manifest.body === "string" ? Buffer.from(manifest.body) : manifest.body
      const pushed: PushedManifest = { digest: sha256(body), mediaType: manifest.mediaType, size: body.length, body }
      const repo = repositoryNamed(repository)
      repo.manifests.set(pushed.digest, pushed)
      if (tag !== null) repo.tags.set(tag, pushed.digest)
      return pushed
    },
    pushBlob: (repository, bytes) => {
      const digest = sha256(bytes)
      repositoryNamed(repository).blobs.set(digest, bytes)
      return { digest, size: bytes.length }
    },
    deleteTag: (repository, tag) => void repositories.get(repository)?.tags.delete(tag),
    setReachable: (value) => void (reachable = value),
    setLatency: (ms) => void (latencyMs = ms),
    setRefusal: (ms) => void (refusal = ms),
    calls: () => [...log],
    count: (method) => log.filter((call) => call.method === method).length
  }
}
