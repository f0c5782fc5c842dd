/** The composition root of a tree that breaks every rule once (see dependencyRule.unit.test.ts). */
export const compositionRoot = "main"
