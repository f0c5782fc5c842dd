import { GraphQLObjectType, GraphQLSchema } from "graphql"
import type { GraphqlContext } from "./context.js"
import { currentUserQuery } from "./currentUser.js"
import { groupQuery } from "./groupType.js"
import { updateDependencyProxySettingsMutation, updateImageTtlPolicyMutation } from "./mutations.js"

/**
 * The dependency proxy's part of GitLab's GraphQL schema, same names and shapes. Its printed form is kept in
 * `docs/graphql/schema.graphql`; a test fails when the two drift apart.
 */
export const schema = new GraphQLSchema({
  query: new GraphQLObjectType<unknown, GraphqlContext>({
    name: "Query",
    fields: { currentUser: currentUserQuery, group: groupQuery }
  }),
  mutation: new GraphQLObjectType<unknown, GraphqlContext>({
    name: "Mutation",
    fields: {
      updateDependencyProxySettings: updateDependencyProxySettingsMutation,
      updateDependencyProxyImageTtlGroupPolicy: updateImageTtlPolicyMutation
    }
  })
})
