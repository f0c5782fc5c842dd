import { Option, Schema, SchemaAST } from "effect"
import type { Json, JsonObject } from "./Json.js"

/**
 * A read-model document's encoder compiled from its schema's AST: what `Schema.encodeSync` and the `JsonObject`
 * check after it compute, without the parser's generic machinery (an `Either` and a closure per field), which
 * was a fifth of a batched append's client CPU (ADR 0029). It covers the shapes the views use: structs (with
 * `optional` and `optionalWith` defaults), strings, numbers, booleans, literals and their unions, `NullOr`,
 * arrays, refinements (their filters still run) and `Schema.Date`. A schema with anything else compiles to
 * nothing and keeps Schema's encoder.
 *
 * The compiled encoder never decides a failure: on any value it cannot encode (a refinement refused, a type it
 * did not expect, `undefined` where JSON has no place for it) it throws, and the codec asks Schema, which either
 * reports the error as before or, should the two ever disagree, encodes the value itself. So it can only be
 * wrong by accepting a value Schema refuses, or by writing different JSON; the property tests in
 * `test/domain/docEncoder.unit.test.ts` compare both on arbitrary documents of every view.
 */
export type DocEncoder = (value: unknown) => JsonObject

type Encoder = (value: unknown) => Json

/** Thrown by a compiled encoder at the first thing it cannot encode; never escapes `codec`. */
class NotEncodable extends Error {}

const refuse = (): never => {
  throw new NotEncodable()
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const has = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key)

/** A cheap test of whether `value` could be a member's, so a union tries members without throwing for each. */
type Guess = (value: unknown) => boolean

interface Compiled {
  readonly encode: Encoder
  readonly guess: Guess
}

const dateAst = Schema.Date.ast

const compileNode = (ast: SchemaAST.AST): Compiled | undefined => {
  if (ast === dateAst) {
    return {
      // What `Schema.Date` encodes to; the refinement's check is that the date is valid.
      encode: (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : refuse()),
      guess: (value) => value instanceof Date
    }
  }
  switch (ast._tag) {
    case "StringKeyword":
      return { encode: (value) => (typeof value === "string" ? value : refuse()), guess: (value) => typeof value === "string" }
    case "NumberKeyword":
      return { encode: (value) => (typeof value === "number" ? value : refuse()), guess: (value) => typeof value === "number" }
    case "BooleanKeyword":
      return { encode: (value) => (typeof value === "boolean" ? value : refuse()), guess: (value) => typeof value === "boolean" }
    case "Literal": {
      const literal = ast.literal
      if (typeof literal === "bigint") return undefined
      return { encode: (value) => (value === literal ? literal : refuse()), guess: (value) => value === literal }
    }
    case "UndefinedKeyword":
      // Schema accepts it, but JSON has no undefined: the `JsonObject` check refused it, so Schema reports it.
      return { encode: refuse, guess: (value) => value === undefined }
    case "Refinement":
      return compileRefinement(ast)
    case "Union":
      return compileUnion(ast)
    case "TupleType":
      return compileArray(ast)
    case "TypeLiteral":
      return asNode(structEncoder(ast))
    case "Transformation":
      return asNode(defaultsEncoder(ast))
    default:
      return undefined
  }
}

const compileRefinement = (ast: SchemaAST.Refinement): Compiled | undefined => {
  const from = compileNode(ast.from)
  if (from === undefined) return undefined
  const filter = ast.filter
  const options: SchemaAST.ParseOptions = {}
  return {
    // The base type first (the filters expect it), then the filter, as Schema validates before encoding.
    encode: (value) => {
      const encoded = from.encode(value)
      return Option.isNone(filter(value, options, ast)) ? encoded : refuse()
    },
    guess: from.guess
  }
}

const compileUnion = (ast: SchemaAST.Union): Compiled | undefined => {
  const members: Array<Compiled> = []
  for (const type of ast.types) {
    const member = compileNode(type)
    if (member === undefined) return undefined
    members.push(member)
  }
  return {
    // The first member that takes the value, in the declared order, as Schema's union does.
    encode: (value) => {
      for (const member of members) {
        if (!member.guess(value)) continue
        try {
          return member.encode(value)
        } catch (error) {
          if (!(error instanceof NotEncodable)) throw error
        }
      }
      return refuse()
    },
    guess: (value) => members.some((member) => member.guess(value))
  }
}

/** `Schema.Array(x)` only: no fixed elements, one rest type. */
const compileArray = (ast: SchemaAST.TupleType): Compiled | undefined => {
  const rest = ast.rest[0]
  if (ast.elements.length !== 0 || ast.rest.length !== 1 || rest === undefined) return undefined
  const item = compileNode(rest.type)
  if (item === undefined) return undefined
  return {
    encode: (value) => (Array.isArray(value) ? value.map((element: unknown) => item.encode(element)) : refuse()),
    guess: Array.isArray
  }
}

interface Field {
  readonly name: string
  readonly optional: boolean
  readonly encode: Encoder
}

const compileFields = (ast: SchemaAST.TypeLiteral): ReadonlyArray<Field> | undefined => {
  if (ast.indexSignatures.length !== 0) return undefined
  const fields: Array<Field> = []
  for (const signature of ast.propertySignatures) {
    if (typeof signature.name !== "string") return undefined
    const type = compileNode(signature.type)
    if (type === undefined) return undefined
    fields.push({ name: signature.name, optional: signature.isOptional, encode: type.encode })
  }
  return fields
}

/** Declared fields only, in declared order; an absent optional field stays absent (Schema's struct, excess ignored). */
const encodeFields = (fields: ReadonlyArray<Field>, value: unknown): JsonObject => {
  if (!isRecord(value)) return refuse()
  const output: Record<string, Json> = {}
  for (const field of fields) {
    if (!has(value, field.name) && field.optional) continue
    output[field.name] = field.encode(value[field.name])
  }
  return output
}

const structEncoder = (ast: SchemaAST.TypeLiteral): DocEncoder | undefined => {
  const fields = compileFields(ast)
  return fields === undefined ? undefined : (value) => encodeFields(fields, value)
}

const asNode = (encode: DocEncoder | undefined): Compiled | undefined => (encode === undefined ? undefined : { encode, guess: isRecord })

/**
 * A struct with `optionalWith(..., { default })` fields: Schema makes it a transformation between the stored
 * struct (fields optional) and the value's. Encoding runs each property transformation's `encode` (for a
 * default, the value as it is) and then the stored struct's fields.
 */
const defaultsEncoder = (ast: SchemaAST.Transformation): DocEncoder | undefined => {
  const transformation = ast.transformation
  if (transformation._tag !== "TypeLiteralTransformation" || ast.from._tag !== "TypeLiteral") return undefined
  const fields = compileFields(ast.from)
  if (fields === undefined || ast.to._tag !== "TypeLiteral") return undefined
  // Schema checks the value against its own struct first: a field it requires must be there.
  const required = ast.to.propertySignatures.filter((signature) => !signature.isOptional).map((signature) => signature.name)
  const renames: Array<{ readonly from: string; readonly to: string; readonly encode: (o: Option.Option<unknown>) => Option.Option<unknown> }> = []
  for (const property of transformation.propertySignatureTransformations) {
    if (typeof property.from !== "string" || typeof property.to !== "string") return undefined
    renames.push({ from: property.from, to: property.to, encode: property.encode })
  }
  return (value) => {
    if (!isRecord(value)) return refuse()
    for (const name of required) if (typeof name !== "string" || !has(value, name)) refuse()
    const stored: Record<string, unknown> = { ...value }
    for (const rename of renames) {
      const o = rename.encode(has(stored, rename.to) ? Option.some(stored[rename.to]) : Option.none())
      delete stored[rename.to]
      if (Option.isSome(o)) stored[rename.from] = o.value
    }
    return encodeFields(fields, stored)
  }
}

/** The compiled encoder of a document schema (an object at the top), or undefined where Schema must do it. */
export const compileDocEncoder = <A, I>(schema: Schema.Schema<A, I>): DocEncoder | undefined => {
  const ast = schema.ast
  return ast._tag === "TypeLiteral" ? structEncoder(ast) : ast._tag === "Transformation" ? defaultsEncoder(ast) : undefined
}
