import { describe, expect, it } from "vitest"
import { classifyPath, matchesFilter, parseAccessLogLine } from "../support/upstream/accessLog.js"

// Lines as docker-registry 2.8.2 printed them on stdout.
const HEAD_401 = `127.0.0.1 - - [29/Nov/2026:15:00:24 +0000] "HEAD /v2/library/alpine/manifests/3.19 HTTP/1.1" 401 157 "" "curl/7.88.1"`
const PUT_UPLOAD = `127.0.0.1 - - [29/Nov/2026:15:04:26 +0000] "PUT /v2/library/multi/blobs/uploads/1ba7?_state=abc%3D&digest=sha256%3A4f28 HTTP/1.1" 201 0 "" "skopeo/1.9.3"`
const APP_LOG = `{"level":"info","msg":"listening on 127.0.0.1:45123","time":"2026-11-29T15:00:23Z"}`

describe("registry access log", () => {
  it("parses a combined-log-format line", () => {
    expect(parseAccessLogLine(HEAD_401)).toEqual({
      method: "HEAD",
      path: "/v2/library/alpine/manifests/3.19",
      uri: "/v2/library/alpine/manifests/3.19",
      status: 401,
      bytes: 157,
      userAgent: "curl/7.88.1",
      time: "29/Nov/2026:15:00:24 +0000",
      route: { kind: "manifest", repository: "library/alpine", reference: "3.19" }
    })
  })

  it("keeps the query string out of the path", () => {
    expect(parseAccessLogLine(PUT_UPLOAD)).toMatchObject({ path: "/v2/library/multi/blobs/uploads/1ba7", route: { kind: "upload", repository: "library/multi" } })
  })

  it("ignores the app log and partial lines", () => {
    expect(parseAccessLogLine(APP_LOG)).toBeUndefined()
    expect(parseAccessLogLine(HEAD_401.slice(0, 40))).toBeUndefined()
  })

  it("unescapes a quoted user agent", () => {
    expect(parseAccessLogLine(`::1 - - [1/Jan/2026:00:00:00 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "a \\"b\\""`)?.userAgent).toBe(`a "b"`)
  })

  it.each([
    ["/v2/", { kind: "base" }],
    ["/v2/_catalog", { kind: "catalog" }],
    ["/v2/a/b/c/manifests/sha256:00", { kind: "manifest", repository: "a/b/c", reference: "sha256:00" }],
    ["/v2/a/blobs/sha256:11", { kind: "blob", repository: "a", digest: "sha256:11" }],
    ["/v2/a/blobs/uploads/", { kind: "upload", repository: "a" }],
    ["/v2/a/b/tags/list", { kind: "tags", repository: "a/b" }],
    ["/upstream-fixture-sync/x", { kind: "other" }]
  ])("classifies %s", (path, route) => {
    expect(classifyPath(path)).toEqual(route)
  })

  it("filters by method, kind, repository, reference and status", () => {
    const entry = parseAccessLogLine(HEAD_401)
    if (entry === undefined) throw new Error("sample line did not parse")
    expect(matchesFilter(entry, { method: "head", kind: "manifest", repository: "library/alpine", reference: "3.19", status: [401, 403] })).toBe(true)
    expect(matchesFilter(entry, { method: "GET" })).toBe(false)
    expect(matchesFilter(entry, { repository: "library/alpin" })).toBe(false)
    expect(matchesFilter(entry, { status: 200 })).toBe(false)
  })
})
