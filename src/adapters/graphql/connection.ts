import { Either, Schema } from "effect"
import {
  type GraphQLFieldConfigArgumentMap,
  GraphQLBoolean,
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLOutputType,
  GraphQLString
} from "graphql"
import { optionalInput } from "./args.js"

/** GitLab's `default_max_page_size`: a page without `first`/`last` has this many, and none has more. */
export const MAX_PAGE_SIZE = 100

/** GitLab's message for a cursor it cannot read (`Gitlab::Graphql::Pagination::Keyset`). */
export const INVALID_CURSOR = "Please provide a valid cursor"

export const PaginationArgs = Schema.Struct({
  after: optionalInput(Schema.String),
  before: optionalInput(Schema.String),
  first: optionalInput(Schema.Int),
  last: optionalInput(Schema.Int)
})
export type PaginationArgs = typeof PaginationArgs.Type

/** The four arguments every GitLab connection field takes, with GitLab's descriptions. */
export const paginationArgs: GraphQLFieldConfigArgumentMap = {
  after: { type: GraphQLString, description: "Returns the elements in the list that come after the specified cursor." },
  before: { type: GraphQLString, description: "Returns the elements in the list that come before the specified cursor." },
  first: { type: GraphQLInt, description: "Returns the first _n_ elements from the list." },
  last: { type: GraphQLInt, description: "Returns the last _n_ elements from the list." }
}

/**
 * A keyset cursor in GitLab's form: base64url (no padding) of `{"id":"<key>"}`. Clients treat it as opaque;
 * keeping GitLab's form means a cursor still points at the same place after rows were added or removed.
 */
export const encodeCursor = (key: number): string => Buffer.from(JSON.stringify({ id: String(key) })).toString("base64url")

const CursorJson = Schema.parseJson(Schema.Struct({ id: Schema.NumberFromString.pipe(Schema.int()) }))

export const decodeCursor = (cursor: string): Either.Either<number, GraphQLError> =>
  Schema.decodeUnknownEither(CursorJson)(Buffer.from(cursor, "base64url").toString("utf8")).pipe(
    Either.map((c) => c.id),
    Either.mapLeft(() => new GraphQLError(INVALID_CURSOR))
  )

export interface Edge<A> {
  readonly cursor: string
  readonly node: A
}

export interface PageInfo {
  readonly hasNextPage: boolean
  readonly hasPreviousPage: boolean
  readonly startCursor: string | null
  readonly endCursor: string | null
}

export interface Connection<A> {
  readonly edges: ReadonlyArray<Edge<A>>
  readonly pageInfo: PageInfo
  /** The whole collection's size, whatever page was asked for (GitLab's `CountableConnectionType`). */
  readonly count: number
}

/** graphql-ruby's rule: a negative size counts as 0, and no page is larger than the maximum. */
const pageSize = (n: number | null | undefined): number | null =>
  n === null || n === undefined ? null : Math.min(Math.max(n, 0), MAX_PAGE_SIZE)

/**
 * One page of `items`, which come ordered by `keyOf` descending (newest first, as GitLab orders by id
 * descending). `after`/`before` bound the window by key, so a cursor survives changes to the list; then
 * `first` takes from the window's start and `last` from its end (both may be given, as in Relay's
 * algorithm). Without either, a page is the first `MAX_PAGE_SIZE`. `hasNextPage`/`hasPreviousPage` say
 * whether anything in the whole list lies beyond the page, on either side.
 */
export const paginate = <A>(items: ReadonlyArray<A>, keyOf: (item: A) => number, args: PaginationArgs): Either.Either<Connection<A>, GraphQLError> =>
  Either.gen(function*() {
    const after = args.after === undefined || args.after === null ? null : yield* decodeCursor(args.after)
    const before = args.before === undefined || args.before === null ? null : yield* decodeCursor(args.before)
    // The window [start, end) of items strictly after `after` and strictly before `before` in list order.
    let start = after === null ? 0 : items.findIndex((item) => keyOf(item) < after)
    if (start === -1) start = items.length
    let end = before === null ? items.length : items.findIndex((item) => keyOf(item) <= before)
    if (end === -1) end = items.length
    end = Math.max(start, end)
    const first = pageSize(args.first)
    const last = pageSize(args.last)
    if (first !== null) end = Math.min(end, start + first)
    if (last !== null) start = Math.max(start, end - last)
    if (first === null && last === null) end = Math.min(end, start + MAX_PAGE_SIZE)
    const edges = items.slice(start, end).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }))
    return {
      edges,
      pageInfo: {
        hasNextPage: end < items.length,
        hasPreviousPage: start > 0,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null
      },
      count: items.length
    }
  })

export const PageInfoType = new GraphQLObjectType<PageInfo>({
  name: "PageInfo",
  description: "Information about pagination in a connection.",
  fields: {
    endCursor: { type: GraphQLString, description: "When paginating forwards, the cursor to continue." },
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean), description: "When paginating forwards, are there more items?" },
    hasPreviousPage: { type: new GraphQLNonNull(GraphQLBoolean), description: "When paginating backwards, are there more items?" },
    startCursor: { type: GraphQLString, description: "When paginating backwards, the cursor to continue." }
  }
})

/** `<Node>Connection` and `<Node>Edge` as GitLab's countable connections print them. */
export const connectionType = <A>(nodeType: GraphQLObjectType<A>): GraphQLObjectType<Connection<A>> => {
  const edgeType = new GraphQLObjectType<Edge<A>>({
    name: `${nodeType.name}Edge`,
    description: "An edge in a connection.",
    fields: {
      cursor: { type: new GraphQLNonNull(GraphQLString), description: "A cursor for use in pagination." },
      node: { type: nodeType, description: "The item at the end of the edge." }
    }
  })
  const nodes: GraphQLOutputType = new GraphQLList(nodeType)
  return new GraphQLObjectType<Connection<A>>({
    name: `${nodeType.name}Connection`,
    description: `The connection type for ${nodeType.name}.`,
    fields: {
      count: { type: new GraphQLNonNull(GraphQLInt), description: "Total count of collection." },
      edges: { type: new GraphQLList(edgeType), description: "A list of edges." },
      nodes: { type: nodes, description: "A list of nodes.", resolve: (c) => c.edges.map((e) => e.node) },
      pageInfo: { type: new GraphQLNonNull(PageInfoType), description: "Information to aid in pagination." }
    }
  })
}
