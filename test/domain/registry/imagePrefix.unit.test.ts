import { describe, expect, it } from "vitest"
import { ciVariables, imagePrefix, serverOf } from "../../../src/domain/registry/imagePrefix.js"

describe("imagePrefix", () => {
  it.each([
    ["https://host", "host/acme/dependency_proxy/containers"],
    ["https://host:443", "host/acme/dependency_proxy/containers"],
    ["http://host:80", "host/acme/dependency_proxy/containers"],
    ["http://host", "host/acme/dependency_proxy/containers"],
    ["https://host:8443", "host:8443/acme/dependency_proxy/containers"],
    ["http://host:443", "host:443/acme/dependency_proxy/containers"],
    ["https://host:80/", "host:80/acme/dependency_proxy/containers"],
    ["http://[::1]:5000", "[::1]:5000/acme/dependency_proxy/containers"]
  ])("%s → %s (the scheme's default port left out)", (externalUrl, expected) => {
    expect(imagePrefix(externalUrl, "Acme")).toBe(expected)
  })

  it("lowercases the group's full path", () => {
    expect(imagePrefix("https://registry.example.com", "Top/Sub")).toBe("registry.example.com/top/sub/dependency_proxy/containers")
  })
})

describe("CI variables keep the port (SPEC §7)", () => {
  it("writes the default port out in the server and both prefixes", () => {
    const vars = ciVariables("https://host", "glcbt-x", { fullPath: "Top/Sub" })
    expect(vars.CI_DEPENDENCY_PROXY_SERVER).toBe("host:443")
    expect(vars.CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX).toBe("host:443/top/dependency_proxy/containers")
    expect(vars.CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX).toBe("host:443/top/sub/dependency_proxy/containers")
    expect(serverOf("http://host")).toBe("host:80")
  })
})
