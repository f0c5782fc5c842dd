import { requireTool, runChecked } from "../../test/support/upstream/tools.js"

export interface LoadResult {
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly requests: number
  /** Answers other than 2xx/3xx plus socket errors: any of them spoils the measurement. */
  readonly failures: number
}

export interface LoadOptions {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly connections: number
  readonly seconds: number
  /** A request unanswered this long counts as a socket timeout (10 s by default). */
  readonly timeoutSeconds?: number
}

const UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000 }

/** `  99%    4.21ms` in wrk's `--latency` distribution. */
const latencyMs = (output: string, percent: number): number => {
  const match = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(output)
  const unit = match?.[2] === undefined ? undefined : UNITS[match[2]]
  if (match?.[1] === undefined || unit === undefined) throw new Error(`no ${percent}% latency in wrk output:\n${output}`)
  return Number(match[1]) * unit
}

const number = (output: string, pattern: RegExp): number => Number(pattern.exec(output)?.[1] ?? 0)

/**
 * wrk (C, epoll) rather than a Node load generator: on a 2-core machine the client shares the CPU with the
 * server, and wrk takes the smallest share of it. Two threads, one per core.
 */
export const runWrk = async (options: LoadOptions): Promise<LoadResult> => {
  const wrk = await requireTool("wrk", "wrk")
  const headerArgs = Object.entries(options.headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`])
  const { stdout } = await runChecked(wrk, [
    "--latency", "-t", "2", "-c", String(options.connections), "-d", `${options.seconds}s`, "--timeout", `${options.timeoutSeconds ?? 10}s`,
    ...headerArgs, options.url
  ], { timeoutMs: (options.seconds + 60) * 1000 })
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)
  const socketErrors = errors === null ? 0 : errors.slice(1).reduce((sum, n) => sum + Number(n), 0)
  return {
    requestsPerSecond: number(stdout, /^Requests\/sec:\s+([\d.]+)/m),
    p50Ms: latencyMs(stdout, 50),
    p99Ms: latencyMs(stdout, 99),
    requests: number(stdout, /^\s+(\d+) requests in/m),
    failures: number(stdout, /Non-2xx or 3xx responses: (\d+)/) + socketErrors
  }
}
