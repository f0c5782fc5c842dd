import { Effect, Schema } from "effect"
import type { FastifyRequest } from "fastify"
import type { ApiResponse } from "./apiResponse.js"
import { decodeParams, IntegerParam, type InvalidParams, optional } from "./params.js"

/** GitLab's offset pagination (Kaminari's defaults there): 20 a page unless asked, never more than 100. */
export const DEFAULT_PER_PAGE = 20
export const MAX_PER_PAGE = 100

// Text that is no integer is refused (400 naming the parameter); zero and below fall back to the defaults.
const Paging = Schema.Struct({ page: optional(IntegerParam), per_page: optional(IntegerParam) })

export interface Page {
  readonly page: number
  readonly perPage: number
}

export const pageOf = (request: FastifyRequest): Effect.Effect<Page, InvalidParams> =>
  decodeParams(Paging, request.query).pipe(Effect.map((paging) => {
    const page = paging.page !== undefined && paging.page >= 1 ? paging.page : 1
    const asked = paging.per_page !== undefined && paging.per_page >= 1 ? paging.per_page : DEFAULT_PER_PAGE
    return { page, perPage: Math.min(asked, MAX_PER_PAGE) }
  }))

/** The request's own URL at another page, on the external URL, as GitLab writes its `Link` header. */
const urlAt = (base: string, request: FastifyRequest, page: number, perPage: number) => {
  const requested = new URL(request.url, "http://request.invalid")
  const url = new URL(`${base.replace(/\/+$/, "")}${requested.pathname}${requested.search}`)
  url.searchParams.set("page", String(page))
  url.searchParams.set("per_page", String(perPage))
  return url.toString()
}

/**
 * One page of a list, answered with GitLab's paging headers: `x-page`, `x-per-page`, `x-total`, `x-total-pages`,
 * `x-next-page` and `x-prev-page` (empty at the ends) and `link` with prev, next, first and last. A page past the
 * end is an empty list with the same headers, so a pager that walks until an empty page stops.
 */
export const pageResponse = <A>(
  request: FastifyRequest,
  externalUrl: string,
  page: Page,
  items: ReadonlyArray<A>,
  toJson: (item: A) => unknown
): ApiResponse => {
  const total = items.length
  const totalPages = Math.max(1, Math.ceil(total / page.perPage))
  const next = page.page < totalPages ? page.page + 1 : null
  const prev = page.page > 1 ? Math.min(page.page - 1, totalPages) : null
  const link = [
    ...(prev === null ? [] : [`<${urlAt(externalUrl, request, prev, page.perPage)}>; rel="prev"`]),
    ...(next === null ? [] : [`<${urlAt(externalUrl, request, next, page.perPage)}>; rel="next"`]),
    `<${urlAt(externalUrl, request, 1, page.perPage)}>; rel="first"`,
    `<${urlAt(externalUrl, request, totalPages, page.perPage)}>; rel="last"`
  ].join(", ")
  const start = (page.page - 1) * page.perPage
  return {
    status: 200,
    body: items.slice(start, start + page.perPage).map(toJson),
    headers: {
      "x-page": String(page.page),
      "x-per-page": String(page.perPage),
      "x-total": String(total),
      "x-total-pages": String(totalPages),
      "x-next-page": next === null ? "" : String(next),
      "x-prev-page": prev === null ? "" : String(prev),
      link
    }
  }
}

/** Reads the paging parameters and answers that page of the list. */
export const paginated = <A>(
  context: { readonly request: FastifyRequest; readonly externalUrl: string },
  items: ReadonlyArray<A>,
  toJson: (item: A) => unknown
): Effect.Effect<ApiResponse, InvalidParams> =>
  pageOf(context.request).pipe(Effect.map((page) => pageResponse(context.request, context.externalUrl, page, items, toJson)))
