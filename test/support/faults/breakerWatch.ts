import { setTimeout as sleep } from "node:timers/promises"

/** One upstream's breaker as `/-/readiness` shows it. */
export interface BreakerDetail {
  readonly breaker: "closed" | "open" | "half_open"
  readonly since: string
  readonly failures: number
  readonly reason: string | null
  readonly retry_in_seconds: number | null
}

const isDetail = (value: unknown): value is BreakerDetail =>
  typeof value === "object" && value !== null && "breaker" in value && typeof value.breaker === "string"

/** The breaker of `upstreamHost` from the readiness details of the cache at `proxyHost`; undefined if never asked. */
export const breakerOf = async (proxyHost: string, upstreamHost: string): Promise<BreakerDetail | undefined> => {
  const body: unknown = await (await fetch(`http://${proxyHost}/-/readiness`)).json()
  if (typeof body !== "object" || body === null || !("upstream" in body)) return undefined
  const upstream = body.upstream
  if (typeof upstream !== "object" || upstream === null) return undefined
  const detail: unknown = Object.entries(upstream).find(([host]) => host === upstreamHost)?.[1]
  return isDetail(detail) ? detail : undefined
}

/** Polls readiness every 50 ms until `accept` holds for the breaker, or fails after `deadlineMs`. */
export const breakerBecomes = async (
  proxyHost: string,
  upstreamHost: string,
  accept: (detail: BreakerDetail) => boolean,
  deadlineMs: number
): Promise<BreakerDetail> => {
  const giveUpAt = Date.now() + deadlineMs
  let last: BreakerDetail | undefined
  while (Date.now() < giveUpAt) {
    last = await breakerOf(proxyHost, upstreamHost)
    if (last !== undefined && accept(last)) return last
    await sleep(50)
  }
  throw new Error(`the breaker of ${upstreamHost} did not get there within ${deadlineMs} ms; last seen ${JSON.stringify(last)}`)
}

/** The transitions the cache logged for `upstreamHost`, in order, as `from → to`. */
export const breakerTransitionsLogged = (logs: ReadonlyArray<string>, upstreamHost: string): ReadonlyArray<string> => {
  const line = new RegExp(`upstream breaker for ${upstreamHost.replace(/[.]/g, "\\.")}: (\\w+) → (\\w+)`)
  return logs.flatMap((text) => {
    const match = line.exec(text)
    return match === null ? [] : [`${match[1]} → ${match[2]}`]
  })
}
