/** What an API handler answers: a status and a JSON body (none for 204). */
export interface ApiResponse {
  readonly status: number
  readonly body: unknown
}

export const ok = (body: unknown): ApiResponse => ({ status: 200, body })
export const created = (body: unknown): ApiResponse => ({ status: 201, body })
export const noContent: ApiResponse = { status: 204, body: null }
export const accepted: ApiResponse = { status: 202, body: { message: "202 Accepted" } }
export const internalError: ApiResponse = { status: 500, body: { message: "500 Internal Server Error" } }
