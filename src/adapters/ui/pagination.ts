export const PER_PAGE = 20

export interface Page<A> {
  readonly page: number
  readonly pages: number
  readonly items: ReadonlyArray<A>
}

/** The requested page from `?page=`; anything that is not a small positive number is page 1. */
export const requestedPage = (query: unknown): number => {
  if (typeof query !== "object" || query === null) return 1
  const value: unknown = Reflect.get(query, "page")
  return typeof value === "string" && /^[1-9]\d{0,5}$/.test(value) ? Number(value) : 1
}

/** One page of items; a page past the end shows the last one rather than an empty table. */
export const pageOf = <A>(items: ReadonlyArray<A>, requested: number): Page<A> => {
  const pages = Math.max(1, Math.ceil(items.length / PER_PAGE))
  const page = Math.min(Math.max(1, requested), pages)
  return { page, pages, items: items.slice((page - 1) * PER_PAGE, page * PER_PAGE) }
}
