import { Effect } from "effect"
import type { Page } from "playwright-core"
import { AccessLevels, type AccessLevel } from "../../../src/domain/AccessLevel.js"
import { changeGroup, createGroup } from "../../../src/application/useCases/groups.js"
import { createUser } from "../../../src/application/useCases/users.js"
import { LiveView } from "../../../src/application/LiveView.js"
import { proxyHarness } from "../proxyApp.js"

/** Nothing listens here: pages that never pull need no upstream, and a stray pull fails fast. */
const NO_UPSTREAM = "http://127.0.0.1:9"

export const PASSWORD = "correct-horse-battery"

export type UiWorld = Awaited<ReturnType<typeof startUiWorld>>

/**
 * The whole server as `serve` builds it (registry, API, UI), in process on a free port, with the in-memory
 * store; the pull-through cache goes to `upstreamUrl`. Users and groups are made with the application's own
 * use cases, as an administrator would.
 */
export const startUiWorld = async (upstreamUrl: string = NO_UPSTREAM) => {
  const proxy = await proxyHarness(upstreamUrl)
  const baseUrl = `http://${proxy.host}`
  const user = (username: string, options: { readonly admin?: boolean } = {}) =>
    proxy.run(createUser({ username, email: `${username}@example.test`, name: username, password: PASSWORD, admin: options.admin ?? false }))
  const group = (path: string, ownerUserId: number, parentId: number | null = null) =>
    proxy.run(createGroup({ path, name: path.toUpperCase(), parentId, ownerUserId }))
  const addMember = (groupId: number, userId: number, accessLevel: AccessLevel = AccessLevels.guest) =>
    proxy.run(changeGroup(groupId, { _tag: "AddMember", userId, accessLevel }))
  /** The group as the server sees it now, to check what a form really changed. */
  const groupState = (fullPath: string) =>
    proxy.run(LiveView.pipe(Effect.flatMap((view) => view.current), Effect.map((state) => state.groupAt(fullPath))))
  return { proxy, baseUrl, user, group, addMember, groupState, close: () => proxy.close() }
}

/** Signs in through the form, as a person would, and waits for the page it leads to. */
export const signIn = async (page: Page, username: string, password: string = PASSWORD): Promise<void> => {
  await page.goto("/users/sign_in")
  await page.getByLabel("Username", { exact: true }).fill(username)
  await page.getByLabel("Password", { exact: true }).fill(password)
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.waitForURL((url) => url.pathname !== "/users/sign_in")
}

/** The CSRF token of the signed-in page (from the sign-out form every page has), for hand-made posts. */
export const csrfTokenOn = async (page: Page): Promise<string> => {
  const token = await page.locator("form[action='/users/sign_out'] input[name='authenticity_token']").getAttribute("value")
  if (token === null) throw new Error("the page has no CSRF token")
  return token
}
