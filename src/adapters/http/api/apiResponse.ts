/** What an API handler answers: a status, a JSON body (none for 204), and headers of its own (paging). */
export interface ApiResponse {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export const ok = (body: unknown): ApiResponse => ({ status: 200, body })
export const created = (body: unknown): ApiResponse => ({ status: 201, body })
export const noContent: ApiResponse = { status: 204, body: null }
export const accepted: ApiResponse = { status: 202, body: { message: "202 Accepted" } }
export const internalError: ApiResponse = { status: 500, body: { message: "500 Internal Server Error" } }
