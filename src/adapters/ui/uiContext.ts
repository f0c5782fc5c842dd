import type { EdgeRuntime } from "../edge/runtime.js"

/** What every UI route needs: the runtime, the session key, and how the outside world reaches us. */
export interface UiContext {
  readonly runtime: EdgeRuntime
  /** Signs session cookies and derives CSRF tokens; at least 32 bytes. */
  readonly key: Buffer
  readonly externalUrl: string
  /** `Secure` cookies when the external URL is https (browsers would drop them over plain http). */
  readonly secureCookies: boolean
}
