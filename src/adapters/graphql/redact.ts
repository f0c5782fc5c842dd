import type { GraphQLError, GraphQLFormattedError } from "graphql"

const FILTERED = "[FILTERED]"
/** `secret: "…"` (or a block string) written inline in the query text. */
const SECRET_LITERAL = /\bsecret\s*:\s*(?:"""([\s\S]*?)"""|"((?:[^"\\]|\\.)*)")/g

const secretsInValue = (value: unknown): ReadonlyArray<string> => {
  if (Array.isArray(value)) return value.flatMap(secretsInValue)
  if (typeof value !== "object" || value === null) return []
  return Object.entries(value).flatMap(([key, v]) => (key === "secret" && typeof v === "string" ? [v] : secretsInValue(v)))
}

/**
 * The Docker Hub secrets a request carries. graphql-js quotes input values in some messages (an input object
 * with an unknown field is printed whole; a syntax error names the string it choked on), and the secret
 * must not come back in any response.
 */
export const secretsOf = (query: string, variables: unknown): ReadonlyArray<string> =>
  [...secretsInValue(variables), ...[...query.matchAll(SECRET_LITERAL)].map((m) => m[1] ?? m[2] ?? "")].filter((s) => s !== "")

export const formatErrors = (errors: ReadonlyArray<GraphQLError>, secrets: ReadonlyArray<string>): ReadonlyArray<GraphQLFormattedError> =>
  errors.map((error) => {
    const formatted = error.toJSON()
    return { ...formatted, message: secrets.reduce((message, secret) => message.replaceAll(secret, FILTERED), formatted.message) }
  })
