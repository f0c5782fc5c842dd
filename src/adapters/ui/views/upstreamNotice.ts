import type { BreakerReport } from "../../../application/upstream/UpstreamBreakers.js"
import { type Html, html } from "../html.js"
import { timeTag } from "./format.js"

const nextCheck = (report: BreakerReport): Html =>
  report.state === "half_open"
    ? html`it is being checked now`
    : html`it is checked again in ${String(report.retryInSeconds ?? 0)} s`

/**
 * While an upstream's breaker is open (ADR 0012), the page says what a pull gets meanwhile. The failure
 * itself is for operators (logs, readiness): it may name repositories of other groups.
 */
export const upstreamNotice = (reports: ReadonlyArray<BreakerReport>): Html | false => {
  const down = reports.filter((report) => report.state !== "closed")
  return down.length > 0 && html`<div class="notice warning" role="status" id="upstream-notice">
${down.map((report) => html`<p>The upstream registry <code>${report.host}</code> is not answering (since ${timeTag(report.since)}); ${nextCheck(report)}.
Images already cached are served from the cache; images not cached yet cannot be pulled until it answers again.</p>`)}
</div>`
}
