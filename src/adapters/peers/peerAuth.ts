import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto"

/** How long a peer request's MAC is valid: a captured header is useless a minute later. */
export const PEER_MAC_SECONDS = 60

/**
 * The key replicas sign peer requests with, derived from ENCRYPTION_KEY (ADR 0025): only processes configured
 * with the cluster's key can read another's in-flight bytes, and the sealing key itself never signs anything.
 */
export const peerKey = (encryptionKey: Buffer): Buffer =>
  Buffer.from(hkdfSync("sha256", encryptionKey, Buffer.alloc(0), "dependency-proxy peer transfer v1", 32))

const mac = (key: Buffer, method: string, path: string, expiry: number) =>
  createHmac("sha256", key).update(`${method}\n${path}\n${expiry}`).digest()

/** `Authorization` for `method path`, valid PEER_MAC_SECONDS from `now`. */
export const peerAuthorization = (key: Buffer, method: string, path: string, now: Date): string => {
  const expiry = Math.floor(now.getTime() / 1000) + PEER_MAC_SECONDS
  return `Peer ${expiry}.${mac(key, method, path, expiry).toString("hex")}`
}

/**
 * Whether `header` authorizes `method path` now: a MAC over the method, the path and an expiry not past and no
 * further ahead than a MAC's validity (a long-lived one cannot be minted even with the key), compared in
 * constant time.
 */
export const peerAuthorized = (key: Buffer, method: string, path: string, header: string | undefined, now: Date): boolean => {
  const match = /^Peer (\d{1,12})\.([0-9a-f]{64})$/.exec(header ?? "")
  if (match === null) return false
  const expiry = Number(match[1])
  const seconds = now.getTime() / 1000
  if (expiry < seconds || expiry > seconds + PEER_MAC_SECONDS + 1) return false
  return timingSafeEqual(Buffer.from(match[2] ?? "", "hex"), mac(key, method, path, expiry))
}
