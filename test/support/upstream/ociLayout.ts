import { createHash, randomUUID } from "node:crypto"
import { createWriteStream } from "node:fs"
import { mkdir, rename, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Readable, Transform, type TransformCallback } from "node:stream"
import { pipeline } from "node:stream/promises"
import { createGzip } from "node:zlib"
import { type TarFile, tarStream } from "./tar.js"

/** An OCI image layout on disk (`oci:<dir>:<tag>` for skopeo), written by hand so no Docker is needed. */

export const MEDIA_TYPES = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  layerTar: "application/vnd.oci.image.layer.v1.tar"
} as const

export interface Descriptor {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
}

/** A manifest, index or config, with the exact bytes pushed, so tests can compare what a proxy serves. */
export interface JsonBlob extends Descriptor {
  readonly json: string
}

export interface Layer extends Descriptor {
  /** sha256 of the uncompressed tar, as listed in the config's `rootfs.diff_ids`. */
  readonly diffId: string
  readonly uncompressedSize: number
}

export interface Platform {
  readonly architecture: string
  readonly os: string
}

export type LayerCompression = { readonly kind: "gzip"; readonly level: number } | { readonly kind: "none" }

const sha256 = (bytes: Buffer | string): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

const blobPath = (dir: string, digest: string): string => join(dir, "blobs", "sha256", digest.slice("sha256:".length))

export const createLayout = async (dir: string): Promise<void> => {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true })
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }))
}

export const writeJsonBlob = async (dir: string, mediaType: string, value: unknown): Promise<JsonBlob> => {
  const json = JSON.stringify(value)
  const digest = sha256(json)
  await writeFile(blobPath(dir, digest), json)
  return { mediaType, digest, size: Buffer.byteLength(json), json }
}

/** Hashes and counts what flows through, without holding on to it. */
class Measure extends Transform {
  private readonly hash = createHash("sha256")
  bytes = 0
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }
  digest(): string {
    return `sha256:${this.hash.digest("hex")}`
  }
}

/** Streams tar → (gzip) → blob file in one pass, hashing both sides, so memory stays flat for any size. */
export const writeLayer = async (dir: string, files: ReadonlyArray<TarFile>, compression: LayerCompression): Promise<Layer> => {
  const temporary = join(dir, `layer-${randomUUID()}.partial`)
  const uncompressed = new Measure()
  const compressed = new Measure()
  const stages =
    compression.kind === "gzip"
      ? pipeline(Readable.from(tarStream(files)), uncompressed, createGzip({ level: compression.level }), compressed, createWriteStream(temporary))
      : pipeline(Readable.from(tarStream(files)), uncompressed, compressed, createWriteStream(temporary))
  await stages
  const digest = compressed.digest()
  await rename(temporary, blobPath(dir, digest))
  return {
    mediaType: compression.kind === "gzip" ? MEDIA_TYPES.layerGzip : MEDIA_TYPES.layerTar,
    digest,
    size: compressed.bytes,
    diffId: uncompressed.digest(),
    uncompressedSize: uncompressed.bytes
  }
}

const descriptorOf = (blob: Descriptor): Descriptor => ({ mediaType: blob.mediaType, digest: blob.digest, size: blob.size })

export const writeConfig = (dir: string, platform: Platform, layers: ReadonlyArray<Layer>): Promise<JsonBlob> =>
  writeJsonBlob(dir, MEDIA_TYPES.config, {
    architecture: platform.architecture,
    os: platform.os,
    // A fixed date keeps the config, and so the manifest digest, the same for the same files.
    created: "2024-01-01T00:00:00Z",
    config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/bin/sh"] },
    rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.diffId) },
    history: layers.map(() => ({ created: "2024-01-01T00:00:00Z", created_by: "upstream test fixture" }))
  })

export const writeManifest = (dir: string, config: Descriptor, layers: ReadonlyArray<Layer>): Promise<JsonBlob> =>
  writeJsonBlob(dir, MEDIA_TYPES.manifest, {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: descriptorOf(config),
    layers: layers.map(descriptorOf)
  })

export const writeIndex = (dir: string, manifests: ReadonlyArray<{ readonly manifest: Descriptor; readonly platform: Platform }>): Promise<JsonBlob> =>
  writeJsonBlob(dir, MEDIA_TYPES.index, {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: manifests.map(({ manifest, platform }) => ({ ...descriptorOf(manifest), platform: { architecture: platform.architecture, os: platform.os } }))
  })

/** Points the layout's index.json at one manifest or index under a tag, which `oci:<dir>:<tag>` selects. */
export const writeLayoutIndex = (dir: string, target: Descriptor, tag: string): Promise<void> =>
  writeFile(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [{ ...descriptorOf(target), annotations: { "org.opencontainers.image.ref.name": tag } }]
    })
  )
