/**
 * The target of `rel="next"` among `Link` header values (`<…/tags/list?n=100&last=x>; rel="next"`), as
 * registries paginate tag lists (distribution spec, "Listing Tags").
 */
export const nextLink = (values: ReadonlyArray<string>): string | undefined => {
  for (const value of values) {
    for (const match of value.matchAll(/<([^>]*)>([^,<]*)/g)) {
      const [, target, params = ""] = match
      if (target !== undefined && /;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(params)) return target
    }
  }
  return undefined
}
