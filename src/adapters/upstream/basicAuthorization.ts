import type { UpstreamCredentials } from "../../application/ports/UpstreamRegistry.js"

/** `Authorization: Basic base64(identity:secret)`; the value is a secret and goes into headers only. */
export const basicAuthorization = (credentials: UpstreamCredentials): string =>
  `Basic ${Buffer.from(`${credentials.identity}:${credentials.secret}`).toString("base64")}`
