import { constants } from "node:fs"
import { access, mkdir } from "node:fs/promises"
import { join } from "node:path"
import { type Browser, type BrowserContext, chromium } from "playwright-core"
import { ROOT } from "../processes.js"

export const CHROMIUM = "/usr/bin/chromium"

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

/**
 * Debian's Chromium, never a downloaded browser. A missing browser fails the suite with the package to install:
 * these tests exist to run in a real browser, so they never skip. `launch` gives every run a fresh, temporary
 * user-data directory (removed on close), so no profile state leaks between runs.
 */
export const launchChromium = async (): Promise<Browser> => {
  await access(CHROMIUM, constants.X_OK).catch((cause: unknown) => {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install the Debian package \`chromium\` (apt-get install chromium)`, { cause })
  })
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}

/**
 * A browser context as a user gets it: the real Content-Security-Policy enforced. `forAxe` turns CSP off, only
 * so that axe's source can be injected as an inline script; pages are otherwise the same.
 */
export const newContext = (browser: Browser, baseURL: string, options: { readonly forAxe?: boolean; readonly width?: number } = {}): Promise<BrowserContext> =>
  browser.newContext({
    baseURL,
    bypassCSP: options.forAxe ?? false,
    viewport: { width: options.width ?? 1280, height: 900 },
    locale: "en-US"
  })

export const ARTIFACTS = join(ROOT, "test-artifacts", "ui")

export const artifactPath = async (name: string): Promise<string> => {
  await mkdir(ARTIFACTS, { recursive: true })
  return join(ARTIFACTS, name)
}
