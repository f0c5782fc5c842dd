/** A fixed notice named by `?notice=`, so the query string never puts text of its own on a page. */
export const noticeFrom = (query: unknown, notices: Readonly<Record<string, string>>): string | null => {
  if (typeof query !== "object" || query === null) return null
  const key: unknown = Reflect.get(query, "notice")
  return Object.entries(notices).find(([name]) => name === key)?.[1] ?? null
}
