import { randomBytes } from "node:crypto"
import { makeMemoryUpstream } from "../../src/adapters/memory/MemoryUpstreamRegistry.js"
import { upstreamRegistryContract } from "./upstreamRegistryContract.js"

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"

upstreamRegistryContract("MemoryUpstreamRegistry", async () => {
  const reader = { identity: "reader", secret: "reader-password" }
  const fake = makeMemoryUpstream({ users: { [reader.identity]: reader.secret }, privateRepos: ["private/"] })
  return {
    upstream: fake.registry,
    // A never-seen image each time: a random layer, its config, and the manifest naming both.
    publish: async (repository, tag) => {
      const layer = fake.pushBlob(repository, randomBytes(512))
      const config = fake.pushBlob(repository, Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })))
      const blobs = [
        { ...config, mediaType: "application/vnd.oci.image.config.v1+json" },
        { ...layer, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }
      ]
      const [configBlob, ...layers] = blobs
      const manifest = fake.pushManifest(repository, tag, {
        mediaType: OCI_MANIFEST,
        body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: configBlob, layers })
      })
      return { manifest: { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size }, blobs }
    },
    setReachable: async (reachable) => fake.setReachable(reachable),
    privatePrefix: "private/",
    reader,
    stop: async () => undefined
  }
})
