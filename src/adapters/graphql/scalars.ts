import { GraphQLError, GraphQLScalarType, Kind } from "graphql"

const wholeNumber = (value: unknown): number => {
  const n = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value
  if (typeof n === "number" && Number.isSafeInteger(n)) return n
  throw new GraphQLError(`BigInt cannot represent ${String(value)}`)
}

/** GitLab's `BigInt`: a whole number that may exceed 32 bits, so it travels as a string. */
export const BigIntScalar = new GraphQLScalarType<number, string>({
  name: "BigInt",
  description: "Represents non-fractional signed whole numeric values. Since the value may exceed the size of a 32-bit integer, it's encoded as a string.",
  serialize: (value) => String(wholeNumber(value)),
  parseValue: wholeNumber,
  parseLiteral: (node) => {
    if (node.kind === Kind.INT || node.kind === Kind.STRING) return wholeNumber(node.value)
    throw new GraphQLError("BigInt must be an integer or a string of digits", { nodes: node })
  }
})

const isoDate = (value: unknown): Date => {
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : null
  if (date === null || Number.isNaN(date.getTime())) throw new GraphQLError(`Time cannot represent ${String(value)}`)
  return date
}

/** GitLab's `Time`: an instant in ISO 8601. */
export const TimeScalar = new GraphQLScalarType<Date, string>({
  name: "Time",
  description: "Time represented in ISO 8601.",
  serialize: (value) => isoDate(value).toISOString(),
  parseValue: isoDate,
  parseLiteral: (node) => {
    if (node.kind === Kind.STRING) return isoDate(node.value)
    throw new GraphQLError("Time must be an ISO 8601 string", { nodes: node })
  }
})

/**
 * GitLab's typed global IDs (`Types::GlobalIDType[Model]`), e.g. `DependencyProxyManifestID`:
 * `gid://gitlab/<Model>/<id>` as a string. Output only here; nothing takes one as an argument yet.
 */
export const globalIdScalar = (name: string, model: string) =>
  new GraphQLScalarType<string, string>({
    name,
    description: `A \`${name}\` is a global ID. It is encoded as a string.\n\nAn example \`${name}\` is: \`"gid://gitlab/${model}/1"\`.`,
    serialize: (value) => {
      if (typeof value === "string" && value.startsWith(`gid://gitlab/${model}/`)) return value
      throw new GraphQLError(`${name} cannot represent ${String(value)}`)
    }
  })

export const globalId = (model: string, id: number | string): string => `gid://gitlab/${model}/${id}`
