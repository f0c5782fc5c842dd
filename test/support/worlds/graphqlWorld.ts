import type { FastifyInstance, LightMyRequestResponse } from "fastify"
import { createGroup, changeGroup } from "../../../src/application/useCases/groups.js"
import { createPersonalAccessToken } from "../../../src/application/useCases/accessTokens.js"
import { createUser } from "../../../src/application/useCases/users.js"
import type { AccessLevel } from "../../../src/domain/AccessLevel.js"
import { type RegistryHarness, registryHarness } from "../registryApp.js"

/**
 * One group, `acme`, and a user per vantage point: its Owner (with an `api` and a `read_api` token), a
 * Maintainer, a Guest, and an outsider who belongs to nothing. Every token is a personal access token.
 */
export interface GraphqlWorld {
  readonly h: RegistryHarness
  readonly app: FastifyInstance
  readonly groupId: number
  readonly users: { readonly owner: number; readonly maintainer: number; readonly guest: number; readonly outsider: number }
  readonly tokens: {
    readonly owner: string
    readonly ownerReadOnly: string
    readonly maintainer: string
    readonly guest: string
    readonly outsider: string
  }
}

const addUser = (h: RegistryHarness, username: string) =>
  h.run(createUser({ username, email: `${username}@example.test`, name: username, password: `${username}-password`, admin: false }))

const tokenFor = async (h: RegistryHarness, userId: number, scopes: ReadonlyArray<string>) =>
  (await h.run(createPersonalAccessToken({ userId, name: "graphql", scopes, expiresAt: null }))).token

export const graphqlWorld = async (options: { readonly externalUrl?: string } = {}): Promise<GraphqlWorld> => {
  const h = await registryHarness(options)
  const owner = await addUser(h, "olga")
  const groupId = await h.run(createGroup({ path: "acme", name: "Acme", parentId: null, ownerUserId: owner }))
  const member = async (username: string, level: AccessLevel) => {
    const id = await addUser(h, username)
    await h.run(changeGroup(groupId, { _tag: "AddMember", userId: id, accessLevel: level }))
    return id
  }
  const maintainer = await member("mia", 40)
  const guest = await member("gus", 10)
  const outsider = await addUser(h, "otto")
  return {
    h,
    app: h.app,
    groupId,
    users: { owner, maintainer, guest, outsider },
    tokens: {
      owner: await tokenFor(h, owner, ["api"]),
      ownerReadOnly: await tokenFor(h, owner, ["read_api"]),
      maintainer: await tokenFor(h, maintainer, ["api"]),
      guest: await tokenFor(h, guest, ["api"]),
      outsider: await tokenFor(h, outsider, ["api"])
    }
  }
}

export interface GraphqlRequest {
  readonly query: string
  readonly variables?: Readonly<Record<string, unknown>>
  readonly token?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** `POST /api/graphql` as a client sends it, authenticated with `Authorization: Bearer` when a token is given. */
export const gql = (app: FastifyInstance, request: GraphqlRequest): Promise<LightMyRequestResponse> =>
  app.inject({
    method: "POST",
    url: "/api/graphql",
    headers: { ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }), ...request.headers },
    payload: { query: request.query, variables: request.variables ?? null }
  })

export const SETTINGS_MUTATION = `
  mutation($input: UpdateDependencyProxySettingsInput!) {
    updateDependencyProxySettings(input: $input) { dependencyProxySetting { enabled identity } errors }
  }`

export const TTL_MUTATION = `
  mutation($input: UpdateDependencyProxyImageTtlGroupPolicyInput!) {
    updateDependencyProxyImageTtlGroupPolicy(input: $input) { dependencyProxyImageTtlPolicy { enabled ttl } errors }
  }`
