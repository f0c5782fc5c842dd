import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import fc from "fast-check"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import { sqlLiteral } from "../../src/adapters/sql/postgresAppendSteps.js"
import { migratedTestDatabase, TestDatabaseUrl } from "../support/postgres/postgresTestDatabase.js"

/** Postgres text holds any character but NUL; these are the ones a literal must take care of. */
const text = fc.string({
  unit: fc.oneof(fc.constantFrom("'", "\\", '"', "$", "E", "\n", " "), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }))
}).filter((value) => !value.includes("\u0000"))

const edges: ReadonlyArray<string> = ["", "'", "''", "\\", "\\'", "E'x'", "it's C:\\dir", "ünïcödé ✓ 😀", '{"a":"b\\"c"}', "line\nbreak"]

const cases = [...edges, ...fc.sample(text, { numRuns: 300, seed: 26 }), JSON.stringify({ payload: fc.sample(text, { numRuns: 50, seed: 27 }) })]

/**
 * The append's arguments travel inside simple-protocol messages as SQL literals (ADR 0026), JSON text with
 * whatever the events and documents hold: each must reach Postgres as itself.
 */
layer(migratedTestDatabase, { excludeTestServices: true, timeout: "120 seconds" })("sqlLiteral on Postgres (ADR 0026)", (it) => {
  it.scoped("any string written as a literal into a simple-protocol message reads back as itself, standard-conforming strings or not", () =>
    Effect.gen(function*() {
      const sql = Context.get(yield* Layer.build(pgLayer(yield* TestDatabaseUrl)), SqlClient.SqlClient)
      const connection = yield* sql.reserve
      // As the doc comment promises: whatever the server's `standard_conforming_strings`.
      for (const conforming of ["off", "on"]) {
        yield* connection.executeUnprepared(`set standard_conforming_strings = ${conforming}`, [], undefined)
        for (const value of cases) {
          const results = yield* connection.executeUnprepared(`select ${sqlLiteral(value)}::text as t`, [], undefined)
          const [row] = Array.isArray(results) ? results : []
          expect(typeof row === "object" && row !== null && "t" in row ? row.t : row).toEqual(value)
        }
      }
    }))
})
