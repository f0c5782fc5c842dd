import { randomFill, randomUUID } from "node:crypto"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import {
  type JsonBlob,
  type Layer,
  type LayerCompression,
  type Platform,
  createLayout,
  writeConfig,
  writeIndex,
  writeLayer,
  writeLayoutIndex,
  writeManifest
} from "./ociLayout.js"
import type { Skopeo } from "./skopeo.js"
import { type TarFile, fileFromBytes } from "./tar.js"

export interface BuiltImage {
  readonly platform: Platform
  readonly manifest: JsonBlob
  readonly config: JsonBlob
  readonly layers: ReadonlyArray<Layer>
}

export interface PushedImage extends BuiltImage {
  readonly repository: string
  readonly tag: string
}

export interface PushedIndex {
  readonly repository: string
  readonly tag: string
  readonly index: JsonBlob
  /** In index order: amd64, then arm64. */
  readonly images: ReadonlyArray<BuiltImage>
}

export type Files = Readonly<Record<string, string | Buffer>>

export interface ImageBuilders {
  /** Same files, same digests: without `files`, the content names the repository and tag so images differ. */
  readonly singleArch: (repository: string, tag: string, options?: { readonly files?: Files; readonly platform?: Platform }) => Promise<PushedImage>
  /** An OCI index of linux/amd64 and linux/arm64 images, pushed with `--all`. */
  readonly multiArch: (repository: string, tag: string, options?: { readonly files?: Files }) => Promise<PushedIndex>
  /**
   * One layer holding a file of `sizeBytes` random (incompressible) bytes. Stored as an uncompressed tar
   * by default: for 100 MiB that builds in ~0.4 s, where gzip level 1 takes ~4 s and saves nothing.
   */
  readonly largeLayer: (repository: string, tag: string, sizeBytes: number, options?: { readonly compression?: LayerCompression }) => Promise<PushedImage>
  /** Pushes a new, never-seen image under the tag, as when upstream moves `latest`. */
  readonly retag: (repository: string, tag: string) => Promise<PushedImage>
}

export interface ImageBuildersOptions {
  /** `127.0.0.1:<port>` of the registry. */
  readonly host: string
  readonly pusher: { readonly username: string; readonly password: string }
  readonly workDir: string
  readonly skopeo: Skopeo
}

const AMD64: Platform = { architecture: "amd64", os: "linux" }
const ARM64: Platform = { architecture: "arm64", os: "linux" }
const DEFAULT_GZIP: LayerCompression = { kind: "gzip", level: 6 }

const CHUNK = 1024 * 1024

/**
 * Random bytes in 1 MiB chunks. Each chunk is a new buffer: Readable.from reads ahead (16 chunks in object
 * mode), so reusing one buffer would overwrite data not yet hashed. Memory stays bounded all the same.
 */
const randomFile = (path: string, size: number): TarFile => ({
  path,
  size,
  data: async function* () {
    for (let left = size; left > 0; left -= CHUNK) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, left))
      await new Promise<void>((done, fail) => randomFill(chunk, (error) => (error === null ? done() : fail(error))))
      yield chunk
    }
  }
})

const buildImage = async (dir: string, platform: Platform, files: ReadonlyArray<TarFile>, compression: LayerCompression): Promise<BuiltImage> => {
  const layer = await writeLayer(dir, files, compression)
  const config = await writeConfig(dir, platform, [layer])
  const manifest = await writeManifest(dir, config, [layer])
  return { platform, manifest, config, layers: [layer] }
}

const toTarFiles = (files: Files): ReadonlyArray<TarFile> => Object.entries(files).map(([path, content]) => fileFromBytes(path, content))

export const imageBuilders = (options: ImageBuildersOptions): ImageBuilders => {
  /**
   * `--preserve-digests` makes skopeo refuse instead of silently recompressing or converting, so the
   * digests we computed are the ones the registry serves.
   */
  const push = async (dir: string, repository: string, tag: string, all: boolean): Promise<void> => {
    const { username, password } = options.pusher
    const result = await options.skopeo.run([
      "copy", "--quiet", "--preserve-digests", ...(all ? ["--all"] : []),
      "--dest-tls-verify=false", "--dest-creds", `${username}:${password}`,
      `oci:${dir}:${tag}`, `docker://${options.host}/${repository}:${tag}`
    ])
    if (result.code !== 0) throw new Error(`skopeo could not push ${repository}:${tag} (exit ${result.code}):\n${result.stderr}`)
  }

  /** A fresh layout per push, removed afterwards: a 100 MiB layer should not outlive its push on disk. */
  const withLayout = async <A>(work: (dir: string) => Promise<A>): Promise<A> => {
    const dir = join(options.workDir, `layout-${randomUUID()}`)
    await createLayout(dir)
    try {
      return await work(dir)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  const pushImage = (repository: string, tag: string, platform: Platform, files: ReadonlyArray<TarFile>, compression: LayerCompression): Promise<PushedImage> =>
    withLayout(async (dir) => {
      const image = await buildImage(dir, platform, files, compression)
      await writeLayoutIndex(dir, image.manifest, tag)
      await push(dir, repository, tag, false)
      return { ...image, repository, tag }
    })

  return {
    singleArch: (repository, tag, opts = {}) =>
      pushImage(repository, tag, opts.platform ?? AMD64, toTarFiles(opts.files ?? { "etc/image": `${repository}:${tag}\n` }), DEFAULT_GZIP),

    multiArch: (repository, tag, opts = {}) =>
      withLayout(async (dir) => {
        const base = opts.files ?? { "etc/image": `${repository}:${tag}\n` }
        const images: Array<BuiltImage> = []
        for (const platform of [AMD64, ARM64]) {
          // An arch-specific file keeps the two children (and their layers) distinct, as in real images.
          images.push(await buildImage(dir, platform, toTarFiles({ ...base, "etc/arch": `${platform.architecture}\n` }), DEFAULT_GZIP))
        }
        const index = await writeIndex(dir, images)
        await writeLayoutIndex(dir, index, tag)
        await push(dir, repository, tag, true)
        return { repository, tag, index, images }
      }),

    largeLayer: (repository, tag, sizeBytes, opts = {}) =>
      pushImage(repository, tag, AMD64, [randomFile("data/random.bin", sizeBytes)], opts.compression ?? { kind: "none" }),

    retag: (repository, tag) =>
      pushImage(repository, tag, AMD64, toTarFiles({ "etc/image": `${repository}:${tag}\n`, "etc/build-id": `${randomUUID()}\n` }), DEFAULT_GZIP)
  }
}
