import type { FastifyInstance, LightMyRequestResponse } from "fastify"
import { expect } from "vitest"
import type { AccessLevel } from "../../../src/domain/AccessLevel.js"
import { changeGroup, createGroup } from "../../../src/application/useCases/groups.js"
import { changeUser, createUser } from "../../../src/application/useCases/users.js"
import { NAME_UNKNOWN_MESSAGE } from "../../../src/adapters/http/registry/registryErrors.js"
import {
  EXTERNAL_URL,
  manifestPath,
  type RegistryHarness,
  registryHarness,
  requestToken,
  sampleImage,
  scopeFor
} from "../registryApp.js"

/**
 * A seeded world shared by the HTTP suites: one hierarchy `top/sub/subsub` with a sibling `top/sibling`, an
 * unrelated top-level group `other`, and users placed so that every authorization rule has someone to test it.
 * Every user's password is `passwordOf(username)`.
 */
export const IMAGE = sampleImage("alpine", "3.19")

export const passwordOf = (username: string) => `${username}-password`

export interface World {
  readonly h: RegistryHarness
  readonly app: FastifyInstance
  readonly groups: {
    readonly top: number
    readonly sub: number
    readonly subsub: number
    readonly sibling: number
    readonly other: number
  }
  readonly users: {
    /** Owner of `top` (the creator). */
    readonly olga: number
    /** Members of `top`, one per role. */
    readonly guest: number
    readonly reporter: number
    readonly developer: number
    readonly maintainer: number
    readonly owner: number
    /** Developer of `top/sub` only. */
    readonly subMember: number
    /** Reporter of `top/sub/subsub` only. */
    readonly deepMember: number
    /** Instance admin, member of nothing. */
    readonly admin: number
    /** Member of nothing. */
    readonly outsider: number
    /** Reporter of `top` with two-factor authentication enabled. */
    readonly twoFactor: number
  }
}

/** A user with the conventional password; admin only when asked. */
export const addUser = (h: RegistryHarness, username: string, admin = false) =>
  h.run(createUser({ username, email: `${username}@example.test`, name: username, password: passwordOf(username), admin }))

export const addMember = (h: RegistryHarness, groupId: number, userId: number, accessLevel: AccessLevel) =>
  h.run(changeGroup(groupId, { _tag: "AddMember", userId, accessLevel }))

export const seedWorld = async (h: RegistryHarness): Promise<World> => {
  const olga = await addUser(h, "olga")
  const top = await h.run(createGroup({ path: "top", name: "Top", parentId: null, ownerUserId: olga }))
  const sub = await h.run(createGroup({ path: "sub", name: "Sub", parentId: top, ownerUserId: olga }))
  const subsub = await h.run(createGroup({ path: "subsub", name: "Subsub", parentId: sub, ownerUserId: olga }))
  const sibling = await h.run(createGroup({ path: "sibling", name: "Sibling", parentId: top, ownerUserId: olga }))
  const other = await h.run(createGroup({ path: "other", name: "Other", parentId: null, ownerUserId: olga }))

  const member = async (username: string, groupId: number, level: AccessLevel) => {
    const id = await addUser(h, username)
    await addMember(h, groupId, id, level)
    return id
  }
  const guest = await member("guest", top, 10)
  const reporter = await member("reporter", top, 20)
  const developer = await member("developer", top, 30)
  const maintainer = await member("maintainer", top, 40)
  const owner = await member("owner", top, 50)
  const subMember = await member("sub-member", sub, 30)
  const deepMember = await member("deep-member", subsub, 20)
  const admin = await addUser(h, "root-admin", true)
  const outsider = await addUser(h, "outsider")
  const twoFactor = await member("two-factor", top, 20)
  await h.run(changeUser(twoFactor, { _tag: "SetTwoFactor", enabled: true }))

  return {
    h,
    app: h.app,
    groups: { top, sub, subsub, sibling, other },
    users: { olga, guest, reporter, developer, maintainer, owner, subMember, deepMember, admin, outsider, twoFactor }
  }
}

export const worldHarness = async (options: Parameters<typeof registryHarness>[0] = {}): Promise<World> =>
  seedWorld(await registryHarness(options))

// ---------------------------------------------------------------------------------------------------------------
// Reading responses without `any`: bodies are parsed to `unknown` and narrowed.

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

export const bodyOf = (response: LightMyRequestResponse): unknown => {
  const parsed: unknown = JSON.parse(response.body)
  return parsed
}

/** The `/jwt/auth` success body, checked field by field. */
export const tokenBody = (response: LightMyRequestResponse) => {
  expect(response.statusCode, response.body).toBe(200)
  const body = bodyOf(response)
  if (!isRecord(body) || typeof body.token !== "string") throw new Error(`no token in ${response.body}`)
  return {
    token: body.token,
    accessToken: body.access_token,
    expiresIn: body.expires_in,
    issuedAt: body.issued_at,
    keys: Object.keys(body).sort()
  }
}

/** Signs in at `/jwt/auth` for the given scopes and returns the JWT; fails the test unless it is a 200. */
export const issueToken = async (app: FastifyInstance, username: string, secret: string, scopes: ReadonlyArray<string>) =>
  tokenBody(await requestToken(app, username, secret, scopes)).token

/** A JWT for pulling `image` through `group`. */
export const pullToken = (app: FastifyInstance, username: string, secret: string, group: string, image = IMAGE.image) =>
  issueToken(app, username, secret, [scopeFor(group, image)])

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

export const getManifest = (app: FastifyInstance, token: string, group: string, reference = IMAGE.tag, method: "GET" | "HEAD" = "GET") =>
  app.inject({ method, url: manifestPath(group, IMAGE.image, reference), headers: bearer(token) })

/** The JWT's claims, decoded without verifying: what any holder of the token can read. */
export const jwtPayload = (token: string): Record<string, unknown> => {
  const segment = token.split(".")[1]
  if (segment === undefined) throw new Error(`not a JWT: ${token}`)
  const payload: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))
  if (!isRecord(payload)) throw new Error(`JWT payload is not an object: ${token}`)
  return payload
}

export const bearerChallenge = (group: string, image = IMAGE.image) =>
  `Bearer realm="${EXTERNAL_URL}/jwt/auth",service="dependency_proxy",scope="repository:${group}/dependency_proxy/containers/${image}:pull"`

export const basicChallenge = `Basic realm="${EXTERNAL_URL}/jwt/auth"`

// ---------------------------------------------------------------------------------------------------------------
// Assertions shared by every suite.

/** Every response, success or not, names the registry API version. */
export const expectApiVersion = (response: LightMyRequestResponse) =>
  expect(response.headers["docker-distribution-api-version"]).toBe("registry/2.0")

/**
 * An OCI error: the status, JSON content type, and a body that is exactly `{"errors":[{code,message,detail}]}`
 * (toStrictEqual fails on any extra member). `message` may be a matcher when only its gist is fixed.
 */
export const expectOciError = (
  response: LightMyRequestResponse,
  status: number,
  code: string,
  message: unknown = expect.any(String),
  detail: unknown = null
) => {
  expect(response.statusCode, response.body).toBe(status)
  expectApiVersion(response)
  expect(response.headers["content-type"]).toMatch(/^application\/json/)
  expect(bodyOf(response)).toStrictEqual({ errors: [{ code, message, detail }] })
}

/** The single answer for every authorization "no". */
export const expectNameUnknown = (response: LightMyRequestResponse) => {
  expectOciError(response, 404, "NAME_UNKNOWN", NAME_UNKNOWN_MESSAGE)
  // A challenge would invite a retry with other credentials and hint that something is there.
  expect(response.headers["www-authenticate"]).toBeUndefined()
}

export const expectPulled = (response: LightMyRequestResponse) => {
  expect(response.statusCode, response.body).toBe(200)
  expectApiVersion(response)
  expect(response.headers["docker-content-digest"]).toBe(IMAGE.manifestDigest)
  expect(response.body).toBe(IMAGE.manifest)
}

/** A 401 on a registry route: the Bearer challenge for the repository, so Docker knows where to sign in. */
export const expectBearerChallenge = (response: LightMyRequestResponse, group: string, message: unknown = expect.any(String)) => {
  expectOciError(response, 401, "UNAUTHORIZED", message)
  expect(response.headers["www-authenticate"]).toBe(bearerChallenge(group))
}

/** Polls until `check` holds (for real-clock expiries). */
export { waitUntil } from "../waitUntil.js"
