import type { HistoryRow } from "../groupPageData.js"
import { type Html, html } from "../html.js"
import { timeTag } from "./format.js"

const LABELS: Readonly<Record<string, string>> = {
  enabled: "Proxy enabled",
  identity: "Docker Hub identity",
  secret: "Docker Hub secret",
  "ttl_policy.enabled": "TTL policy enabled",
  "ttl_policy.ttl": "TTL (days)",
  sso_enforced: "SSO enforced",
  serve_stale_on_not_found: "Serve stale on not found",
  manifest_check_interval: "Manifest check interval (seconds)"
}

const value = (text: string | null): Html => (text === null ? html`<em>none</em>` : html`${text}`)

/** The secret's history says only that it changed: the application never gives its values, old or new. */
const change = (row: HistoryRow): Html =>
  row.setting === "secret" ? html`changed` : html`${value(row.from)} → ${value(row.to)}`

/** Who changed which setting, when (Owners only), newest first. */
export const historySection = (rows: ReadonlyArray<HistoryRow>): Html => html`<section aria-labelledby="history-heading">
<h2 id="history-heading">Settings history</h2>
${rows.length === 0
    ? html`<p>No setting has been changed since the group was created.</p>`
    : html`<div class="table-wrap" role="region" aria-labelledby="history-heading" tabindex="0">
<table id="settings-history">
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Setting</th><th scope="col">Change</th></tr></thead>
<tbody>
${rows.map((row) => html`<tr>
<td>${timeTag(row.at)}</td>
<td>${row.who}</td>
<td>${LABELS[row.setting] ?? row.setting}</td>
<td>${change(row)}</td>
</tr>`)}
</tbody>
</table>
</div>`}
</section>`
