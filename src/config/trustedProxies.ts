import { isIP } from "node:net"
import * as Either from "effect/Either"
import { type Env, invalid, type Parsed, value } from "./envValues.js"

/**
 * `TRUSTED_PROXIES`: the load balancers in front of this service, as comma-separated addresses or CIDR ranges
 * (`10.0.0.5, 10.1.0.0/16, fd00::/8`). A request from one of them is taken to come from the address it names in
 * `X-Forwarded-For`; from anywhere else the header is ignored, so no client can choose its own address. Without
 * it, every client behind a balancer has the balancer's address, and sign-in throttling (which counts failures
 * per client address) lets anyone's 30 failed logins a minute refuse everyone's. None by default.
 */
export const trustedProxies = (env: Env): Parsed<ReadonlyArray<string>> => {
  const raw = value(env, "TRUSTED_PROXIES")
  if (raw === undefined) return Either.right([])
  const entries = raw.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "")
  for (const entry of entries) {
    const [address = "", prefix, ...rest] = entry.split("/")
    const family = isIP(address)
    const bits = family === 4 ? 32 : 128
    // `/0` would trust every address to name its own client (and the proxy checker refuses it at start-up).
    const prefixFits = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= bits)
    if (family === 0 || !prefixFits || rest.length > 0) {
      return invalid("TRUSTED_PROXIES", "must list IP addresses or CIDR ranges, separated by commas, like 10.0.0.5, 10.1.0.0/16", raw)
    }
  }
  return Either.right(entries)
}
