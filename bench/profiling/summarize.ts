import { readFile } from "node:fs/promises"

/** The parts of V8's `.cpuprofile` (Chrome DevTools format) this summary reads. */
interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}
interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const isProfile = (value: unknown): value is CpuProfile =>
  typeof value === "object" && value !== null && "nodes" in value && Array.isArray(value.nodes) &&
  "samples" in value && Array.isArray(value.samples) && "timeDeltas" in value && Array.isArray(value.timeDeltas)

/**
 * Where a frame's code lives: a package, one of our source folders, or V8's own buckets. The server runs the
 * compiled `dist/`, whose folders are those of `src/` (lines are the compiled file's, close to the source's).
 */
const ownerOf = (url: string, functionName: string): string => {
  if (url === "") return `(${functionName || "native"})`
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg?.[1] !== undefined) return pkg[1]
  const ours = /\/(src|dist|bench|test)\/(.*)\/[^/]+$/.exec(url)
  if (ours?.[1] !== undefined) return `${ours[1]}/${ours[2] ?? ""}`
  return url.startsWith("node:") ? url : url.replace(/^file:\/\//, "")
}

const table = (title: string, totals: ReadonlyMap<string, number>, all: number, rows: number): string =>
  [
    title,
    ...[...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, micros]) => `  ${((100 * micros) / all).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`)
  ].join("\n")

/**
 * `npx tsx bench/profiling/summarize.ts <file.cpuprofile> [rows]`: self time by package or source folder,
 * and by function, so a profile can be read without DevTools.
 */
const main = async (file: string | undefined, rows: number): Promise<void> => {
  if (file === undefined) throw new Error("usage: summarize.ts <file.cpuprofile> [rows]")
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"))
  if (!isProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`)
  const byId = new Map(parsed.nodes.map((node) => [node.id, node]))
  const selfTime = new Map<number, number>()
  parsed.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (parsed.timeDeltas[i] ?? 0)))
  const byOwner = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let all = 0
  for (const [id, micros] of selfTime) {
    const frame = byId.get(id)?.callFrame
    if (frame === undefined) continue
    all += micros
    const owner = ownerOf(frame.url, frame.functionName)
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros)
    const name = `${frame.functionName || "(anonymous)"}  ${frame.url.replace(/^.*\/(node_modules|src|dist|bench|test)\//, "$1/")}:${frame.lineNumber + 1}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
  }
  process.stdout.write(`${table("self time by package / folder", byOwner, all, rows)}\n\n${table("self time by function", byFunction, all, rows)}\n`)
}

await main(process.argv[2], Number(process.argv[3] ?? 25))
