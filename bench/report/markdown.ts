import type { BenchConfig } from "../config.js"
import { type Machine, machineLines } from "../lib/machine.js"
import { type Figure, ratioOf, targetText, verdictOf } from "./Figure.js"
import { formatNumber, formatSummary } from "./format.js"

export interface RunReport {
  readonly date: string
  readonly config: BenchConfig
  readonly before: Machine
  readonly after: Machine
  readonly minutes: number
  readonly figures: ReadonlyArray<Figure>
  readonly chartFile: string
}

const row = (figure: Figure): string => {
  const ratio = ratioOf(figure)
  const verdict = verdictOf(figure)
  return `| ${figure.scenario} | ${figure.metric} | ${figure.unit} | ${formatSummary(figure.ours)} | ${formatSummary(figure.theirs)} | ${
    ratio === null ? "–" : formatNumber(ratio)
  } | ${targetText(figure)} | ${verdict === null ? "" : verdict ? "pass" : "**fail**"} |`
}

const SETUP = `## Set-up

- Everything on loopback, one machine. Upstream: Debian's \`docker-registry\` (filesystem storage) behind the
  test fixture's Docker-Hub-like token server; both caches fetch anonymous upstream tokens from it.
- Ours: \`node bin/dependency-proxy.mjs serve\` on a fresh Postgres database, \`LOG_LEVEL=warn\`, one group with
  \`manifest-check-interval\` 24 h, root's personal access token exchanged at \`/jwt/auth\` for a bearer JWT.
- Distribution: the same \`docker-registry\` binary with \`proxy.remoteurl\` at the upstream, \`auth: token\` with its
  own token server (same fixture, ES256, anonymous pull), in-memory blob descriptor cache, access log off.
- Images: one layer of random (incompressible) bytes each, stored uncompressed; cold blobs are fresh per round.
- Blob clients: undici in the runner process, one connection per client, bodies read and discarded, byte counts
  checked. Manifest load: wrk, 2 threads, \`--latency\`. MB = 10⁶ bytes.
- Rounds alternate A B A B (ours, then distribution); each cell is the median and the min–max of the rounds.

### Asymmetries to keep in mind

- Manifest pulls by tag: distribution in proxy mode asks upstream (HEAD) on every tag pull by design; ours answers a
  fresh tag locally (SPEC §9 asks for exactly that), so this row compares designs as much as implementations.
  The upstream's access log is parsed by the runner during those runs, a small extra load on the machine.
- Cold pulls: distribution streams the first request from upstream and sends every concurrent request for the same
  blob upstream as well; ours makes one transfer and lets every client follow the growing file.
- The 2 cores are shared by the server under test, the load generator and (for cold pulls and distribution's
  manifest pulls) the upstream; other work also runs on the machine, hence the load averages above.
`

const STORAGE: Readonly<Record<BenchConfig["blobStorage"], string>> = {
  filesystem: "files under DATA_DIR (the default)",
  s3: "S3 (`BLOB_STORAGE=s3`), cache hits proxied",
  "s3-redirect": "S3 (`BLOB_STORAGE=s3`, `S3_REDIRECT=true`), cache hits redirected to pre-signed GETs (clients follow)"
}

/** The results file: machine, set-up, one table row per figure (medians, spreads, ratios, targets), the chart. */
export const markdownReport = (report: RunReport): string => {
  const fullSize = report.config.scale === 1
  return [
    `# Benchmark results ${report.date}`,
    "",
    fullSize
      ? `Full-size run (SPEC §9 sizes), ${report.config.rounds} rounds per scenario, ${report.minutes.toFixed(0)} min in all.`
      : `**Trial run at BENCH_SCALE=${report.config.scale}: sizes are not SPEC §9's; do not compare with targets.** ${report.config.rounds} rounds, ${report.minutes.toFixed(1)} min.`,
    "",
    `Our blobs: ${STORAGE[report.config.blobStorage]}.`,
    "",
    ...machineLines(report.before, "Machine at start").map((line) => `- ${line}`),
    `- at end: load average ${report.after.loadAverage.join(", ")}`,
    "",
    `![ours and distribution side by side](${report.chartFile})`,
    "",
    "| scenario | metric | unit | ours: median (min–max) | distribution: median (min–max) | ours ÷ distribution | target | pass |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...report.figures.map(row),
    "",
    SETUP
  ].join("\n")
}
