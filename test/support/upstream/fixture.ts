import { randomUUID } from "node:crypto"
import { rm } from "node:fs/promises"
import { generateSigningCertificate } from "./certificate.js"
import { type ImageBuilders, imageBuilders } from "./images.js"
import { type RegistryProcess, startRegistryProcess } from "./registryProcess.js"
import { type Skopeo, isolatedSkopeo } from "./skopeo.js"
import type { PrivateRepository, RepositoryPattern } from "./tokenPolicy.js"
import { type TokenServer, startTokenServer } from "./tokenServer.js"
import { tempDir } from "./tools.js"

export interface UpstreamOptions {
  /** `{username: password}` accepted by the token server over Basic. */
  readonly users?: Readonly<Record<string, string>>
  /** Only configured users may pull these; an entry ending in "/" is a prefix. Everything else is public. */
  readonly privateRepos?: ReadonlyArray<RepositoryPattern | PrivateRepository>
  readonly tokenTtlSeconds?: number
}

export interface Upstream {
  /** `http://127.0.0.1:<port>` of the registry. */
  readonly url: string
  /** `127.0.0.1:<port>`, for image references. */
  readonly host: string
  readonly service: string
  readonly issuer: string
  readonly registry: RegistryProcess
  readonly tokenServer: TokenServer
  readonly images: ImageBuilders
  /** skopeo isolated from the developer's logins and policy. */
  readonly skopeo: Skopeo
  /** The only user allowed to push; the image builders use it. */
  readonly pusher: { readonly username: string; readonly password: string }
  readonly stopAll: () => Promise<void>
}

export const SERVICE = "registry.test"
export const ISSUER = "test-token-issuer"

/** A real distribution registry behind a Docker-Hub-like token server, both on 127.0.0.1. */
export const startUpstream = async (options: UpstreamOptions = {}): Promise<Upstream> => {
  const dir = await tempDir("upstream-fixture-")
  const pusher = { username: "fixture-pusher", password: randomUUID() }
  const cleanups: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })]
  const stopAll = async (): Promise<void> => {
    const failures: Array<unknown> = []
    // Every step runs even if one fails, so a broken stop never leaves a registry holding its port.
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => void failures.push(error))
    cleanups.length = 0
    if (failures.length > 0) throw new AggregateError(failures, "stopping the upstream fixture failed")
  }
  try {
    const certificate = await generateSigningCertificate(dir)
    const tokenServer = await startTokenServer({
      policy: { users: { ...options.users, [pusher.username]: pusher.password }, privateRepos: options.privateRepos ?? [], pusher: pusher.username },
      certificate,
      issuer: ISSUER,
      ...(options.tokenTtlSeconds === undefined ? {} : { ttlSeconds: options.tokenTtlSeconds })
    })
    cleanups.push(tokenServer.stop)
    const registry = await startRegistryProcess({ dir, realm: tokenServer.realm, service: SERVICE, issuer: ISSUER, certPath: certificate.certPath })
    cleanups.push(registry.stop)
    const skopeo = await isolatedSkopeo(dir)
    return {
      url: registry.url,
      host: registry.host,
      service: SERVICE,
      issuer: ISSUER,
      registry,
      tokenServer,
      images: imageBuilders({ host: registry.host, pusher, workDir: dir, skopeo }),
      skopeo,
      pusher,
      stopAll
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}
