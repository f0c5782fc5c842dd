import { type ProxyStatus, proxyStatus } from "../../../domain/group/proxyStatus.js"
import { type Html, html } from "../html.js"

const badge = (status: ProxyStatus): Html =>
  status === "Enabled" ? html`<span class="badge on">${status}</span>` : html`<span class="badge off">${status}</span>`

/** A group's Dependency Proxy state; the instance-wide switch off overrides the group's own. */
export const proxyStatusBadge = (groupEnabled: boolean, instanceEnabled: boolean): Html => badge(proxyStatus(groupEnabled, instanceEnabled))
