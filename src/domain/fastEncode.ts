import { Option, Schema, SchemaAST as AST } from "effect"

/** What an encoder answers for a value it does not take: the caller then asks Schema, which says why. */
export const declined: unique symbol = Symbol("declined")

type Encoder = (value: unknown) => unknown

const hasOwn = (value: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(value, key)

const isObject = (value: unknown): value is Readonly<Record<PropertyKey, unknown>> => typeof value === "object" && value !== null

const parseOptions: AST.ParseOptions = {}

/**
 * Schema's `encode` for the shapes read-model documents are made of, compiled once from the schema's AST:
 * structs (with `optionalWith` defaults), strings, numbers, booleans, literals, unions, arrays, refinements
 * (their checks run, as Schema runs them when encoding) and `Schema.Date`. A replay encodes every document it
 * writes, ~500,000 for a million events, and Schema's general interpreter spends ~10 µs on each; this does
 * the same checks and conversions in about a tenth of that.
 *
 * Undefined for a schema with any other part, and `declined` for a value that fails a check or has a shape
 * this does not know: the caller then encodes with Schema, so what a document becomes, or the error a wrong one
 * raises, stays Schema's (a property test compares both on every view, `test/domain/fastEncode.unit.test.ts`).
 */
export const fastEncoder = (ast: AST.AST): Encoder | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (value) => (typeof value === "string" ? value : declined)
    case "NumberKeyword":
      return (value) => (typeof value === "number" ? value : declined)
    case "BooleanKeyword":
      return (value) => (typeof value === "boolean" ? value : declined)
    case "UndefinedKeyword":
      return (value) => (value === undefined ? value : declined)
    case "Literal": {
      const literal = ast.literal
      return (value) => (value === literal ? value : declined)
    }
    case "Union":
      return unionEncoder(ast)
    case "Refinement": {
      const from = fastEncoder(ast.from)
      if (from === undefined) return undefined
      // The check takes a value of the refined type: `from` has checked that (and encoded it) first.
      return (value) => {
        const encoded = from(value)
        return encoded !== declined && Option.isNone(ast.filter(value, parseOptions, ast)) ? encoded : declined
      }
    }
    case "TupleType":
      return arrayEncoder(ast)
    case "TypeLiteral":
      return structEncoder(ast)
    case "Transformation":
      if (ast === Schema.DateFromString.ast) {
        return (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : declined)
      }
      return ast.transformation._tag === "TypeLiteralTransformation" ? renamingStructEncoder(ast, ast.transformation) : undefined
    default:
      return undefined
  }
}

/** The first member that takes the value, as Schema tries them in order. */
const unionEncoder = (ast: AST.Union): Encoder | undefined => {
  const members: Array<Encoder> = []
  for (const type of ast.types) {
    const member = fastEncoder(type)
    if (member === undefined) return undefined
    members.push(member)
  }
  return (value) => {
    for (const member of members) {
      const encoded = member(value)
      if (encoded !== declined) return encoded
    }
    return declined
  }
}

/** `Schema.Array(item)`: no fixed elements, one rest type. */
const arrayEncoder = (ast: AST.TupleType): Encoder | undefined => {
  const [rest, ...more] = ast.rest
  if (ast.elements.length > 0 || rest === undefined || more.length > 0) return undefined
  const item = fastEncoder(rest.type)
  if (item === undefined) return undefined
  return (value) => {
    if (!Array.isArray(value)) return declined
    const encoded: Array<unknown> = []
    for (const element of value) {
      const one = item(element)
      if (one === declined) return declined
      encoded.push(one)
    }
    return encoded
  }
}

interface Field {
  readonly name: string
  readonly isOptional: boolean
  readonly encode: Encoder
}

/** A struct: its declared fields only, as Schema's encode leaves out any other property. */
const structEncoder = (ast: AST.TypeLiteral): Encoder | undefined => {
  if (ast.indexSignatures.length > 0) return undefined
  const fields: Array<Field> = []
  for (const signature of ast.propertySignatures) {
    const encode = fastEncoder(signature.type)
    if (encode === undefined || typeof signature.name !== "string") return undefined
    fields.push({ name: signature.name, isOptional: signature.isOptional, encode })
  }
  return (value) => {
    if (!isObject(value)) return declined
    const encoded: Record<string, unknown> = {}
    for (const field of fields) {
      if (!hasOwn(value, field.name)) {
        if (field.isOptional) continue
        return declined
      }
      const one = field.encode(value[field.name])
      if (one === declined) return declined
      encoded[field.name] = one
    }
    return encoded
  }
}

/**
 * A struct with property transformations (`optionalWith` and its defaults): fields the type side requires must
 * be there, each transformation's own `encode` maps its field, then the encoded side's struct encodes the rest.
 */
const renamingStructEncoder = (ast: AST.Transformation, transformation: AST.TypeLiteralTransformation): Encoder | undefined => {
  const from = fastEncoder(ast.from)
  if (from === undefined || ast.to._tag !== "TypeLiteral") return undefined
  const required = ast.to.propertySignatures.filter((signature) => !signature.isOptional).map((signature) => signature.name)
  const renames = transformation.propertySignatureTransformations
  return (value) => {
    if (!isObject(value) || !required.every((name) => hasOwn(value, name))) return declined
    const renamed: Record<PropertyKey, unknown> = { ...value }
    for (const rename of renames) {
      const present = hasOwn(value, rename.to)
      const encoded: Option.Option<unknown> = rename.encode(present ? Option.some(value[rename.to]) : Option.none())
      delete renamed[rename.to]
      if (Option.isSome(encoded)) renamed[rename.from] = encoded.value
    }
    return from(renamed)
  }
}
