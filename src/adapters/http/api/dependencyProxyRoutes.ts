import { Effect } from "effect"
import { settingsHistory } from "../../../application/audit/settingsHistory.js"
import { collectUnreferencedFilesSoon, purgeGroupCache } from "../../../application/cache/cleanup.js"
import { groupCache, humanSize } from "../../../application/cache/groupCache.js"
import { currentInstanceProxyEnabled } from "../../../application/instanceSwitch.js"
import { proxyStatus } from "../../../domain/group/proxyStatus.js"
import { imagePrefix } from "../../../domain/registry/imagePrefix.js"
import { accepted, ok } from "./apiResponse.js"
import type { ApiRouter } from "./apiRoute.js"
import { blobJson, cachedImages, manifestJson } from "./cacheJson.js"
import { isoTime } from "./dates.js"
import { inBackground } from "../../edge/inBackground.js"
import { paginated } from "./pagination.js"
import { isOwnerOf, ownedGroupParam, visibleGroupParam } from "./groupAccess.js"

/**
 * The group's dependency proxy: its summary, cached manifests and blobs (Guest and up), the settings history
 * and the purge (Owner, as GraphQL and the UI). The Docker Hub identity is shown to Owners only; the secret
 * to nobody.
 */
export const registerDependencyProxyRoutes = (router: ApiRouter, externalUrl: string) => {
  router.get("/groups/:id/dependency_proxy", "read", (context) =>
    Effect.gen(function*() {
      const group = yield* visibleGroupParam(context)
      const cache = yield* groupCache(group.groupId)
      const settings = group.settings
      const instanceEnabled = yield* currentInstanceProxyEnabled
      return ok({
        enabled: settings.enabled,
        // `enabled` is the group's own switch, as GitLab's setting; `status` says what a pull gets.
        instance_enabled: instanceEnabled,
        status: proxyStatus(settings.enabled, instanceEnabled),
        image_prefix: imagePrefix(externalUrl, group.fullPath),
        total_size: humanSize(cache.totalSizeBytes),
        total_size_bytes: cache.totalSizeBytes,
        image_count: cachedImages(cache).length,
        blob_count: cache.blobs.length,
        ttl_policy: { enabled: settings.ttlPolicy.enabled, ttl: settings.ttlPolicy.ttlDays },
        ...(isOwnerOf(context, group) ? { identity: settings.identity } : {})
      })
    }))

  router.get("/groups/:id/dependency_proxy/manifests", "read", (context) =>
    visibleGroupParam(context).pipe(
      Effect.flatMap((group) => groupCache(group.groupId)),
      Effect.flatMap((cache) => paginated(context, cachedImages(cache), manifestJson))
    ))

  router.get("/groups/:id/dependency_proxy/blobs", "read", (context) =>
    visibleGroupParam(context).pipe(
      Effect.flatMap((group) => groupCache(group.groupId)),
      Effect.flatMap((cache) => paginated(context, cache.blobs, blobJson))
    ))

  router.get("/groups/:id/dependency_proxy/settings/history", "read", (context) =>
    Effect.gen(function*() {
      // Who changed what is an Owner's business (GraphQL and the UI agree); the secret stays "changed" for all.
      const group = yield* ownedGroupParam(context)
      const changes = yield* settingsHistory(group.groupId)
      return yield* paginated(context, changes, (c) => ({
        id: c.position,
        setting: c.setting,
        from: c.from,
        to: c.to,
        changed_at: isoTime(c.at),
        actor: c.actor
      }))
    }))

  router.delete("/groups/:id/dependency_proxy/cache", "write", (context) =>
    Effect.gen(function*() {
      const group = yield* ownedGroupParam(context)
      // As GitLab: accepted now, purged after the response. The purge is recorded as this caller's.
      yield* inBackground(
        `purging the dependency proxy cache of group ${group.groupId}`,
        purgeGroupCache(group.groupId).pipe(Effect.zipRight(collectUnreferencedFilesSoon))
      )
      return accepted
    }))
}
