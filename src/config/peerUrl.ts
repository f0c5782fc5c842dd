import { hostname } from "node:os"
import * as Either from "effect/Either"
import { type Env, invalid, type Parsed, url } from "./envValues.js"

/**
 * `PEER_URL`: where the other replicas reach this one for its blob transfers in progress (ADR 0025). An origin
 * only (`http(s)://host[:port]`), since peers sign the route's path as this process sees it. By default this
 * host's name (or HOST, when it is one address) and PORT.
 */
export const peerUrl = (env: Env, port: number, host: string): Parsed<string> => {
  const own = host === "0.0.0.0" || host === "::" ? hostname() : host.includes(":") ? `[${host}]` : host
  return Either.flatMap(url(env, "PEER_URL", `http://${own}:${port}`), (raw) => {
    const parsed = new URL(raw)
    return parsed.pathname === "/" && parsed.search === "" && parsed.hash === "" && parsed.username === "" && parsed.password === ""
      ? Either.right(parsed.origin)
      : invalid("PEER_URL", "must be an http or https origin, like http://replica-1:5000, with no path, query or credentials", raw)
  })
}
