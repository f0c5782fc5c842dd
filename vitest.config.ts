import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Postgres-backed suites each create their own database, so files can run in parallel.
    fileParallelism: true,
    pool: "forks"
  }
})
