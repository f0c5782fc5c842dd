import type { BlobStoreError } from "../ports/BlobStore.js"
import type { EventStoreUnavailable, VersionConflict } from "../ports/EventStore.js"
import { ContentStorageFailed } from "../ports/ImageContent.js"

/** The blob store or the event log failed under a pull: a 503, never a reason to try upstream. */
export const storageFailed = (error: BlobStoreError | EventStoreUnavailable | VersionConflict) =>
  new ContentStorageFailed({ reason: error._tag === "VersionConflict" ? "busy" : error.message })
