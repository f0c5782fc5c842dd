import { readFileSync } from "node:fs"
import { Effect, Schema } from "effect"
import { ok } from "./apiResponse.js"
import type { ApiRouter } from "./apiRoute.js"

const PackageJson = Schema.Struct({ version: Schema.String })

/** The product's own version (not a GitLab version: scripts that compare GitLab versions should not be misled). */
const productVersion = (): string =>
  Schema.decodeUnknownSync(PackageJson)(JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8"))).version

/**
 * GitLab's `GET /version` and `GET /metadata` (any signed-in user, as GitLab): python-gitlab's `version()` and
 * gitbeaker's `Metadata.show()` read them to learn what they talk to. There is no KAS and no enterprise edition.
 */
export const registerVersionRoutes = (router: ApiRouter) => {
  const version = productVersion()
  const revision = "dependency-proxy"
  router.get("/version", "read", () => Effect.succeed(ok({ version, revision })))
  router.get("/metadata", "read", () =>
    Effect.succeed(ok({
      version,
      revision,
      kas: { enabled: false, externalUrl: null, externalK8sProxyUrl: null, version: null },
      enterprise: false
    })))
}
