/**
 * What a group's Dependency Proxy does for a pull, as every surface shows it: the group's own switch says
 * nothing while the instance-wide switch is off, since every pull is then refused (SPEC §7, issue 15).
 */
export type ProxyStatus = "Enabled" | "Disabled" | "Disabled for this instance"

export const proxyStatus = (groupEnabled: boolean, instanceEnabled: boolean): ProxyStatus =>
  !instanceEnabled ? "Disabled for this instance" : groupEnabled ? "Enabled" : "Disabled"
