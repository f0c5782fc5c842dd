import { resolve } from "node:path"

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** What one run measures, from SPEC §9; `BENCH_SCALE` shrinks sizes and counts for a quick trial. */
export interface BenchConfig {
  readonly scale: number
  readonly rounds: number
  readonly hitBlobBytes: number
  readonly hitClients: ReadonlyArray<number>
  readonly manifestSeconds: number
  readonly manifestConnections: number
  readonly coldBlobBytes: number
  readonly coldClients: number
  /** Scenario 8: the blob size behind the 50 MB/s link, and the link's rate. */
  readonly throttledBlobBytes: number
  readonly throttledBytesPerSecond: number
  readonly rssBlobBytes: number
  readonly rssClients: number
  readonly events: number
  readonly eventBatch: number
  readonly appendSeconds: number
  readonly appendConcurrency: number
  /** How long after `npm start` its idle memory is read (SPEC §9 as measured in issue 13: 12 s). */
  readonly idleSeconds: number
  /** `BENCH_PROFILE_DIR`: profile our server's CPU into this directory (see bench/README.md). */
  readonly profileDir: string | null
  /** `BENCH_LABEL=x`: results go to `<date>-trial-x.*` (or `<date>-x.*` at full size), beside other runs of the day. */
  readonly label: string | null
  /**
   * `BENCH_BLOB_STORAGE`: where our cache keeps blobs: `filesystem` (default), `s3` (proxied) or `s3-redirect`
   * (`S3_REDIRECT=true`), on the S3 server `S3_ENDPOINT` names or the repository's radosgw (test/support/s3.ts).
   */
  readonly blobStorage: BlobStorageUnderTest
  /** `BENCH_SCENARIOS=1,4` runs only those (for profiling one path); all of them by default. */
  readonly scenarios: ReadonlySet<number>
}

export type BlobStorageUnderTest = "filesystem" | "s3" | "s3-redirect"

const blobStorage = (value: string | undefined): BlobStorageUnderTest => {
  if (value === undefined || value === "" || value === "filesystem") return "filesystem"
  if (value === "s3" || value === "s3-redirect") return value
  throw new Error(`BENCH_BLOB_STORAGE must be filesystem, s3 or s3-redirect (got ${value})`)
}

const positiveNumber = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === "") return fallback
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number (got ${value})`)
  return parsed
}

/** Rounded to whole MiB so a scaled blob still has a sane size, and never below 1 MiB. */
const scaledBytes = (bytes: number, scale: number): number => Math.max(MiB, Math.round((bytes * scale) / MiB) * MiB)

export const SCENARIOS: ReadonlyArray<number> = [1, 2, 3, 4, 5, 6, 7, 8]

const scenarioSet = (value: string | undefined): ReadonlySet<number> => {
  if (value === undefined || value === "") return new Set(SCENARIOS)
  const picked = value.split(",").map((part) => Number(part.trim()))
  if (picked.some((n) => !SCENARIOS.includes(n))) throw new Error(`BENCH_SCENARIOS must list numbers ${SCENARIOS[0]}–${SCENARIOS.at(-1)} (got ${value})`)
  return new Set(picked)
}

export const benchConfig = (env: NodeJS.ProcessEnv): BenchConfig => {
  const scale = positiveNumber("BENCH_SCALE", env["BENCH_SCALE"], 1)
  const rounds = Math.max(1, Math.round(positiveNumber("BENCH_ROUNDS", env["BENCH_ROUNDS"], 3)))
  return {
    scale,
    rounds,
    hitBlobBytes: scaledBytes(GiB, scale),
    hitClients: [1, 16],
    // Latency percentiles need a few seconds of steady load whatever the scale.
    manifestSeconds: scale < 1 ? 5 : 15,
    manifestConnections: 32,
    coldBlobBytes: scaledBytes(256 * MiB, scale),
    coldClients: 32,
    // A quarter of scenario 3's: a transfer per client shares the link 32 ways (distribution's takes minutes).
    throttledBlobBytes: scaledBytes(64 * MiB, scale),
    throttledBytesPerSecond: 50_000_000,
    rssBlobBytes: scaledBytes(2 * GiB, scale),
    rssClients: 16,
    events: Math.max(10_000, Math.round(1_000_000 * scale)),
    eventBatch: 1_000,
    appendSeconds: scale < 1 ? 3 : 10,
    appendConcurrency: 16,
    idleSeconds: 12,
    profileDir: env["BENCH_PROFILE_DIR"] === undefined || env["BENCH_PROFILE_DIR"] === "" ? null : resolve(env["BENCH_PROFILE_DIR"]),
    label: /^[\w.-]+$/.test(env["BENCH_LABEL"] ?? "") ? (env["BENCH_LABEL"] ?? null) : null,
    blobStorage: blobStorage(env["BENCH_BLOB_STORAGE"]),
    scenarios: scenarioSet(env["BENCH_SCENARIOS"])
  }
}
