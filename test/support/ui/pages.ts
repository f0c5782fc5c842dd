import type { Browser, Page } from "playwright-core"
import { newContext } from "./chromium.js"
import { signIn } from "../worlds/uiWorld.js"

/** A fresh browser context signed in as the user (CSP off only `forAxe`, see `newContext`). */
export const signedInPage = async (browser: Browser, baseUrl: string, username: string, forAxe = false): Promise<Page> => {
  const context = await newContext(browser, baseUrl, { forAxe })
  const page = await context.newPage()
  await signIn(page, username)
  return page
}

/** A member's rows on the members page, by the exact username (a role like "Developer" contains "dev"). */
export const memberRow = (page: Page, username: string) =>
  page.getByRole("row").filter({ has: page.locator("strong", { hasText: new RegExp(`^${username}$`) }) })
