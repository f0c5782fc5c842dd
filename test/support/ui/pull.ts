import { Schema } from "effect"
import { MANIFEST_MEDIA_TYPES } from "../../../src/application/ports/UpstreamRegistry.js"
import { basic, scopeFor } from "../registryApp.js"

const ACCEPT = MANIFEST_MEDIA_TYPES.join(", ")

const TokenResponse = Schema.Struct({ token: Schema.String })
const ImageManifest = Schema.parseJson(Schema.Struct({
  config: Schema.Struct({ digest: Schema.String }),
  layers: Schema.Array(Schema.Struct({ digest: Schema.String }))
}))

const ok = async (response: Response, what: string): Promise<Response> => {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`)
  return response
}

/**
 * A pull as Docker makes it, with fetch: a token from `/jwt/auth` (Basic), the manifest by tag, then every blob
 * it names, read to the end. Returns what the page should then show for the image.
 */
export const pullThroughProxy = async (input: {
  readonly host: string
  readonly username: string
  readonly password: string
  readonly group: string
  readonly image: string
  readonly tag: string
}) => {
  const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor(input.group, input.image) })
  const tokenResponse = await ok(await fetch(`http://${input.host}/jwt/auth?${query}`, { headers: { authorization: basic(input.username, input.password) } }), "token")
  const { token } = Schema.decodeUnknownSync(TokenResponse)(await tokenResponse.json())
  const headers = { authorization: `Bearer ${token}`, accept: ACCEPT }
  const base = `http://${input.host}/v2/${input.group}/dependency_proxy/containers/${input.image}`
  const manifestResponse = await ok(await fetch(`${base}/manifests/${input.tag}`, { headers }), "manifest")
  const body = await manifestResponse.text()
  const manifest = Schema.decodeUnknownSync(ImageManifest)(body)
  let blobBytes = 0
  for (const digest of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
    const blob = await ok(await fetch(`${base}/blobs/${digest}`, { headers }), `blob ${digest}`)
    blobBytes += (await blob.arrayBuffer()).byteLength
  }
  return {
    digest: manifestResponse.headers.get("docker-content-digest"),
    mediaType: manifestResponse.headers.get("content-type"),
    manifestBytes: Buffer.byteLength(body),
    blobBytes
  }
}
