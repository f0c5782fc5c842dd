import { Effect, Schema } from "effect"
import { type UpstreamCaller, type UpstreamError, UpstreamInvalid } from "../../application/ports/UpstreamRegistry.js"
import { readCapped } from "./body.js"
import type { RegistryClient } from "./client.js"
import { describeUrl, type Exchanged } from "./exchange.js"
import { headerValues } from "./headers.js"
import { nextLink } from "./link.js"
import { registryUrl, tagsPath } from "./paths.js"
import type { Retry } from "./retry.js"
import { statusError } from "./status.js"
import type { Transient } from "./Transient.js"

/** A bound on pagination, so a registry looping its `Link` headers cannot keep a request forever. */
const MAX_PAGES = 100
const MAX_PAGE_BYTES = 10 * 1024 * 1024

/** The distribution spec's tag list; registries send `"tags": null` for a repository without tags. */
const TagList = Schema.Struct({ tags: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))) })

interface Page {
  readonly tags: ReadonlyArray<string>
  readonly next: URL | null
}

const pageOf = (client: RegistryClient, response: Exchanged): Effect.Effect<Page, UpstreamInvalid | Transient> =>
  Effect.gen(function*() {
    const invalid = (reason: string) => new UpstreamInvalid({ reason: `${describeUrl(response.url)}: ${reason}` })
    const body = yield* readCapped(response, MAX_PAGE_BYTES)
    const json = yield* Effect.try({ try: (): unknown => JSON.parse(body.toString("utf8")), catch: () => invalid("tag list is not JSON") })
    const list = yield* Schema.decodeUnknown(TagList)(json).pipe(Effect.mapError(() => invalid("not a tag list")))
    const link = nextLink(headerValues(response.headers, "link"))
    if (link === undefined) return { tags: list.tags ?? [], next: null }
    const next = URL.canParse(link, response.url.href) ? new URL(link, response.url) : null
    // The next page gets the caller's token, so it must stay on the registry.
    if (next === null || next.origin !== client.base.origin) return yield* invalid("Link rel=next leaves the registry")
    return { tags: list.tags ?? [], next }
  })

/** `GET /v2/<repo>/tags/list`, following `Link: <…>; rel="next"` for at most 100 pages. */
export const tags = (client: RegistryClient, retry: Retry) =>
(caller: UpstreamCaller, repository: string): Effect.Effect<ReadonlyArray<string>, UpstreamError> =>
  Effect.gen(function*() {
    const collected: Array<string> = []
    let url: URL | null = registryUrl(client.base, tagsPath(repository))
    for (let page = 0; url !== null; page++) {
      if (page === MAX_PAGES) {
        yield* Effect.logWarning(`tag list of ${repository} truncated after ${MAX_PAGES} pages`)
        break
      }
      const current: URL = url
      const fetched: Page = yield* retry(
        client.request(caller, repository, "GET", current, { accept: "application/json" }, (response) =>
          response.status === 200 ? pageOf(client, response) : statusError(response))
      )
      collected.push(...fetched.tags)
      url = fetched.next
    }
    return collected
  })
