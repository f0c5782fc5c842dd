import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { GraphQLObjectType, printSchema } from "graphql"
import { describe, expect, it } from "vitest"
import { schema } from "../../src/adapters/graphql/schema.js"

const DOCUMENTED = resolve(import.meta.dirname, "../../docs/graphql/schema.graphql")

describe("the GraphQL schema", () => {
  it("is the one documented in docs/graphql/schema.graphql", () => {
    const printed = `${printSchema(schema)}\n`
    // The whole printed schema is in the message: a long diff is cut short, and this is what to copy.
    expect(
      readFileSync(DOCUMENTED, "utf8"),
      `The GraphQL schema changed. If that is intended, replace docs/graphql/schema.graphql with the printed schema ` +
        `below (printSchema(schema) plus a final newline) and review the diff:\n\n${printed}`
    ).toBe(printed)
  })

  it("has no output field that could carry the Docker Hub secret", () => {
    const outputFields = Object.values(schema.getTypeMap())
      .filter((type): type is GraphQLObjectType => type instanceof GraphQLObjectType && !type.name.startsWith("__"))
      .flatMap((type) => Object.keys(type.getFields()).map((field) => `${type.name}.${field}`))
    expect(outputFields).toContain("DependencyProxySetting.identity")
    expect(outputFields.filter((field) => /secret/i.test(field))).toEqual([])
  })
})
