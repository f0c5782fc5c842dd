import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { proxyStatus } from "../../src/domain/group/proxyStatus.js"
import { InstanceDecider } from "../../src/domain/instance/InstanceSettings.js"
import { defaultInstanceSettings } from "../../src/domain/instance/InstanceSettings.js"

describe("a group's Dependency Proxy status", () => {
  it("is the group's own switch while the instance's is on", () => {
    expect(proxyStatus(true, true)).toBe("Enabled")
    expect(proxyStatus(false, true)).toBe("Disabled")
  })

  it("is 'Disabled for this instance' while the instance's switch is off, whatever the group's", () => {
    expect(proxyStatus(true, false)).toBe("Disabled for this instance")
    expect(proxyStatus(false, false)).toBe("Disabled for this instance")
  })
})

describe("the instance-wide switch as an instance setting", () => {
  it("is on by default, and turning it off records one event; turning it off again records none", () => {
    expect(defaultInstanceSettings.dependencyProxyEnabled).toBe(true)
    const off = InstanceDecider.decide({ _tag: "UpdateInstanceSettings", dependencyProxyEnabled: false }, defaultInstanceSettings)
    expect(Either.getOrThrow(off)).toEqual([{ _tag: "DependencyProxySwitchChanged", enabled: false }])
    const state = InstanceDecider.evolve(defaultInstanceSettings, { _tag: "DependencyProxySwitchChanged", enabled: false })
    expect(state.dependencyProxyEnabled).toBe(false)
    expect(Either.getOrThrow(InstanceDecider.decide({ _tag: "UpdateInstanceSettings", dependencyProxyEnabled: false }, state))).toEqual([])
  })
})
