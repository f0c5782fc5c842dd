import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests that start `dependency-proxy` run the compiled CLI; this builds it from the current sources first.
    globalSetup: ["test/support/compiledCli.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Postgres-backed suites each create their own database, so files can run in parallel.
    fileParallelism: true,
    pool: "forks"
  }
})
