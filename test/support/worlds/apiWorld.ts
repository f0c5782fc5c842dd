import { Effect } from "effect"
import type { FastifyInstance, LightMyRequestResponse } from "fastify"
import { expect } from "vitest"
import { EventStore } from "../../../src/application/ports/EventStore.js"
import { changeGroup, createGroup } from "../../../src/application/useCases/groups.js"
import { createPersonalAccessToken } from "../../../src/application/useCases/accessTokens.js"
import { changeUser, createUser } from "../../../src/application/useCases/users.js"
import type { AccessLevel } from "../../../src/domain/AccessLevel.js"
import { type RegistryHarness, registryHarness } from "../registryApp.js"

/**
 * A small world for the REST API suites: `top/sub/deep` and an unrelated `other`, each role of `top` held by
 * someone, an admin, an outsider, and for each an `api` token (and a `read_api` one for the guest).
 * Passwords are `<username>-password`.
 */
export const passwordOf = (username: string) => `${username}-password`

export interface Caller {
  readonly id: number
  readonly username: string
  /** A personal access token with the `api` scope. */
  readonly token: string
}

export interface ApiWorld {
  readonly h: RegistryHarness
  readonly app: FastifyInstance
  readonly groups: { readonly top: number; readonly sub: number; readonly deep: number; readonly other: number }
  readonly root: Caller
  readonly owner: Caller
  readonly maintainer: Caller
  readonly guest: Caller
  readonly outsider: Caller
  /** The guest's `read_api` token. */
  readonly guestReadOnly: string
  /** The guest's `read_registry` token: good for pulls, not for the API. */
  readonly guestRegistryOnly: string
}

export const addUser = async (h: RegistryHarness, username: string, admin = false): Promise<number> =>
  h.run(createUser({ username, email: `${username}@example.test`, name: `${username} name`, password: passwordOf(username), admin }))

export const tokenFor = async (h: RegistryHarness, userId: number, scopes: ReadonlyArray<string> = ["api"]) =>
  (await h.run(createPersonalAccessToken({ userId, name: `${scopes.join("+")} token`, scopes, expiresAt: null }))).token

const caller = async (h: RegistryHarness, username: string, admin = false): Promise<Caller> => {
  const id = await addUser(h, username, admin)
  return { id, username, token: await tokenFor(h, id) }
}

export const addMember = (h: RegistryHarness, groupId: number, userId: number, accessLevel: AccessLevel) =>
  h.run(changeGroup(groupId, { _tag: "AddMember", userId, accessLevel }))

export const apiWorld = async (options: Parameters<typeof registryHarness>[0] = {}): Promise<ApiWorld> => {
  const h = await registryHarness(options)
  const root = await caller(h, "root", true)
  const owner = await caller(h, "owner")
  const maintainer = await caller(h, "maintainer")
  const guest = await caller(h, "guest")
  const outsider = await caller(h, "outsider")
  const top = await h.run(createGroup({ path: "top", name: "Top", parentId: null, ownerUserId: owner.id }))
  const sub = await h.run(createGroup({ path: "sub", name: "Sub", parentId: top, ownerUserId: owner.id }))
  const deep = await h.run(createGroup({ path: "deep", name: "Deep", parentId: sub, ownerUserId: owner.id }))
  const other = await h.run(createGroup({ path: "other", name: "Other", parentId: null, ownerUserId: root.id }))
  await addMember(h, top, maintainer.id, 40)
  await addMember(h, top, guest.id, 10)
  return {
    h,
    app: h.app,
    groups: { top, sub, deep, other },
    root,
    owner,
    maintainer,
    guest,
    outsider,
    guestReadOnly: await tokenFor(h, guest.id, ["read_api"]),
    guestRegistryOnly: await tokenFor(h, guest.id, ["read_registry"])
  }
}

export const blockUser = (h: RegistryHarness, userId: number) => h.run(changeUser(userId, { _tag: "BlockUser" }))

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/** One API call: a JSON body with `json`, form fields with `form`, authenticated with `token` as a Bearer token. */
export const call = (
  app: FastifyInstance,
  method: Method,
  url: string,
  options: {
    readonly token?: string
    readonly json?: unknown
    readonly form?: string
    readonly headers?: Record<string, string>
  } = {}
) => {
  const headers: Record<string, string> = {
    ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    ...(options.json === undefined ? {} : { "content-type": "application/json" }),
    ...(options.form === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
    ...options.headers
  }
  const payload = options.json !== undefined ? JSON.stringify(options.json) : options.form
  return app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) })
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

/** The body as a JSON object, failing the test (with the body) unless the status is the expected one. */
export const expectObject = (response: LightMyRequestResponse, status: number): Record<string, unknown> => {
  expect(response.statusCode, response.body).toBe(status)
  const body: unknown = response.json()
  if (!isRecord(body)) throw new Error(`expected a JSON object, got ${response.body}`)
  return body
}

/** The body as a JSON array of objects, failing the test unless the status is 200. */
export const expectList = (response: LightMyRequestResponse): ReadonlyArray<Record<string, unknown>> => {
  expect(response.statusCode, response.body).toBe(200)
  const body: unknown = response.json()
  if (!Array.isArray(body)) throw new Error(`expected a JSON array, got ${response.body}`)
  return body.map((item: unknown) => {
    if (!isRecord(item)) throw new Error(`expected objects in ${response.body}`)
    return item
  })
}

/** A field that must be a string. */
export const text = (body: Record<string, unknown>, field: string): string => {
  const value = body[field]
  if (typeof value !== "string") throw new Error(`${field} is not a string in ${JSON.stringify(body)}`)
  return value
}

/** A field that must be a number. */
export const num = (body: Record<string, unknown>, field: string): number => {
  const value = body[field]
  if (typeof value !== "number") throw new Error(`${field} is not a number in ${JSON.stringify(body)}`)
  return value
}

/** An error response: its status and exact body. */
export const expectError = (response: LightMyRequestResponse, status: number, body: unknown) => {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.json()).toEqual(body)
}

export const UNAUTHORIZED = { message: "401 Unauthorized" }
export const FORBIDDEN = { message: "403 Forbidden" }
export const notFound = (what: string) => ({ message: `404 ${what} Not Found` })

/** A stream's events as type and transaction, oldest first: what one request recorded, and in how many appends. */
export const eventsOf = async (h: RegistryHarness, streamId: string): Promise<ReadonlyArray<{ readonly type: string; readonly transactionId: number }>> =>
  (await h.run(EventStore.pipe(Effect.flatMap((store) => store.readStream(streamId))))).map((event) => ({ type: event.type, transactionId: event.transactionId }))

/** The actors recorded on a stream's events, oldest first: who the event log says did it. */
export const actorsOf = async (h: RegistryHarness, streamId: string): Promise<ReadonlyArray<string | null>> =>
  (await h.run(EventStore.pipe(Effect.flatMap((store) => store.readStream(streamId))))).map((event) => event.metadata.actor)
