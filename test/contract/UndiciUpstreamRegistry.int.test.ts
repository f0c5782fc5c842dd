import { randomUUID } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import { startUpstream } from "../support/upstream/fixture.js"
import { upstreamAt } from "../support/upstream/undiciUpstream.js"
import { upstreamRegistryContract } from "./upstreamRegistryContract.js"

// The undici adapter against a real docker-registry behind a Docker-Hub-like token server: what the fake is
// held to.
upstreamRegistryContract("UndiciUpstreamRegistry on docker-registry", async () => {
  const reader = { identity: "reader", secret: randomUUID() }
  const fixture = await startUpstream({ users: { [reader.identity]: reader.secret }, privateRepos: ["private/"] })
  const scope = Effect.runSync(Scope.make())
  try {
    const upstream = await Effect.runPromise(Scope.extend(upstreamAt(fixture.url), scope))
    return {
      upstream,
      publish: async (repository, tag) => {
        // `retag` pushes a never-seen image, so a tag published twice moves as upstream's `latest` does.
        const image = await fixture.images.retag(repository, tag)
        const descriptor = ({ digest, mediaType, size }: { digest: string; mediaType: string; size: number }) => ({ digest, mediaType, size })
        return { manifest: descriptor(image.manifest), blobs: [descriptor(image.config), ...image.layers.map(descriptor)] }
      },
      setReachable: (reachable) => (reachable ? fixture.registry.start() : fixture.registry.stop()),
      privatePrefix: "private/",
      reader,
      stop: async () => {
        await Effect.runPromise(Scope.close(scope, Exit.void))
        await fixture.stopAll()
      }
    }
  } catch (error) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await fixture.stopAll()
    throw error
  }
})
