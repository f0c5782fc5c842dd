import { type DocumentNode, type FragmentDefinitionNode, Kind, type SelectionSetNode } from "graphql"

/**
 * GitLab's limits on what one query may ask (`GitlabSchema`): a query's complexity (here, as graphql-ruby counts
 * by default, one per field selected, fragments counted where they are spread) and its depth. Without them a
 * query of a few kilobytes asks for millions of fields: aliases of a fragment spread by aliases of another.
 */
export const MAX_COMPLEXITY = 250
export const MAX_DEPTH = 15

export interface QueryCost {
  readonly complexity: number
  readonly depth: number
}

/**
 * The fields the operation that will run selects (`operationName`'s, or the largest when none is named: a
 * document of several runs only with a name), fragments expanded, and its deepest nesting. Each fragment is
 * measured once and its cost multiplied where it is spread, so measuring costs what the document's text does,
 * whatever it asks for. Only for documents that passed validation (no fragment cycles, no unknown fragments).
 */
export const queryCost = (document: DocumentNode, operationName: string | null = null): QueryCost => {
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition)
  }
  const measured = new Map<string, QueryCost>()
  const costOf = (selections: SelectionSetNode): QueryCost => {
    let complexity = 0
    let depth = 0
    for (const selection of selections.selections) {
      const inner = selection.kind === Kind.FIELD
        ? selection.selectionSet === undefined
          ? { complexity: 1, depth: 1 }
          : (({ complexity: c, depth: d }) => ({ complexity: c + 1, depth: d + 1 }))(costOf(selection.selectionSet))
        : selection.kind === Kind.INLINE_FRAGMENT
        ? costOf(selection.selectionSet)
        : fragmentCost(selection.name.value)
      complexity += inner.complexity
      depth = Math.max(depth, inner.depth)
    }
    return { complexity, depth }
  }
  const fragmentCost = (name: string): QueryCost => {
    const known = measured.get(name)
    if (known !== undefined) return known
    const fragment = fragments.get(name)
    const cost = fragment === undefined ? { complexity: 0, depth: 0 } : costOf(fragment.selectionSet)
    measured.set(name, cost)
    return cost
  }
  // An editor such as GraphiQL sends every query it holds, and the name of the one to run.
  let complexity = 0
  let depth = 0
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue
    if (operationName !== null && definition.name?.value !== operationName) continue
    const cost = costOf(definition.selectionSet)
    complexity = Math.max(complexity, cost.complexity)
    depth = Math.max(depth, cost.depth)
  }
  return { complexity, depth }
}
