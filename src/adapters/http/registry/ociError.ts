/** `Docker-Distribution-Api-Version`, on every registry response. */
export const API_VERSION = "registry/2.0"

/** The OCI distribution error body: `{"errors":[{"code","message","detail"}]}`. */
export interface OciErrorResponse {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly detail?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export const ociBody = (error: OciErrorResponse): string =>
  JSON.stringify({ errors: [{ code: error.code, message: error.message, detail: error.detail ?? null }] })
