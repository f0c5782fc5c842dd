/**
 * The dependency rule (ARCHITECTURE.md), checked by dependency-cruiser from `npm test`
 * (test/architecture/dependencyRule.unit.test.ts). Paths are relative to the repository root.
 */
/** Adapters a request or a command enters through; none of them may reach into another. */
const DRIVING = "^src/adapters/(http|ui|graphql|cli)/"

module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "The domain imports only effect and itself: no Node built-ins, no framework, no application, no adapter.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { pathNot: ["^src/domain/", "^node_modules/effect/"] }
    },
    {
      name: "application-has-no-adapter",
      comment: "The application imports the domain, effect and Node built-ins; never an adapter, a framework or the composition root.",
      severity: "error",
      from: { path: "^src/application/" },
      to: { pathNot: ["^src/domain/", "^src/application/", "^node_modules/effect/"], dependencyTypesNot: ["core"] }
    },
    {
      name: "adapters-do-not-compose",
      comment: "Only the composition root (src/*.ts, src/composition/) and tests choose adapters; adapters never import it.",
      severity: "error",
      from: { path: "^src/adapters/" },
      to: { path: ["^src/(main|cli|serve|httpServer)\\.ts$", "^src/composition/"] }
    },
    {
      name: "driving-adapters-are-independent",
      comment: "HTTP routes, the UI, GraphQL and the CLI do not import each other; what they share lives in adapters/edge.",
      severity: "error",
      from: { path: DRIVING },
      to: { path: DRIVING, pathNot: "^src/adapters/$1/" }
    },
    {
      name: "no-import-cycles",
      comment: "No import cycles: a cycle means two modules are one concept split in two, or a dependency pointing the wrong way.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true }
    }
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" }
  }
}
