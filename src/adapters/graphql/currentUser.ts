import { GraphQLBoolean, GraphQLEnumType, type GraphQLFieldConfig, GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLString } from "graphql"
import type { UserView } from "../../domain/views.js"
import type { GraphqlContext } from "./context.js"
import { globalId } from "./scalars.js"

const UserStateType = new GraphQLEnumType({
  name: "UserState",
  description: "Possible states of a user",
  values: {
    active: { description: "User is active and can use the system." },
    blocked: { description: "User has been blocked by an administrator and cannot use the system." }
  }
})

/** The part of GitLab's `CurrentUser` that this model has; a caller sees only themself through it. */
const CurrentUserType = new GraphQLObjectType<UserView, GraphqlContext>({
  name: "CurrentUser",
  description: "The currently authenticated GitLab user.",
  fields: {
    avatarUrl: { type: GraphQLString, description: "URL of the user's avatar. Null: this service keeps no avatars.", resolve: () => null },
    bot: { type: new GraphQLNonNull(GraphQLBoolean), description: "Indicates if the user is a bot." },
    id: { type: new GraphQLNonNull(GraphQLID), description: "Global ID of the user.", resolve: (u) => globalId("User", u.userId) },
    name: { type: new GraphQLNonNull(GraphQLString), description: "Human-readable name of the user." },
    state: { type: new GraphQLNonNull(UserStateType), description: "State of the user.", resolve: (u) => (u.blocked ? "blocked" : "active") },
    username: { type: new GraphQLNonNull(GraphQLString), description: "Username of the user. Unique within the instance." },
    webPath: { type: new GraphQLNonNull(GraphQLString), description: "Web path of the user.", resolve: (u) => `/${u.username}` },
    webUrl: {
      type: new GraphQLNonNull(GraphQLString),
      description: "Web URL of the user.",
      resolve: (u, _args, ctx) => `${ctx.externalUrl.replace(/\/+$/, "")}/${u.username}`
    }
  }
})

/** `currentUser`: who the token (or the explorer's session) belongs to; null for an anonymous request. */
export const currentUserQuery: GraphQLFieldConfig<unknown, GraphqlContext> = {
  type: CurrentUserType,
  description: "Get information about current user.",
  resolve: (_root, _args, ctx) => ctx.actor?.user ?? null
}
