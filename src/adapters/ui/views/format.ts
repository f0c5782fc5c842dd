import { type Html, html } from "../html.js"

/** `2025-01-02 13:04 UTC`, machine-readable in `datetime`; one zone for everyone, as the server knows no other. */
export const timeTag = (date: Date): Html =>
  html`<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 16).replace("T", " ")} UTC</time>`

/** `sha256:0123456789ab`: enough to tell digests apart at a glance; the full value is in the title and for screen readers. */
export const digestTag = (digest: string): Html => {
  const short = digest.startsWith("sha256:") ? digest.slice(0, "sha256:".length + 12) : digest.slice(0, 19)
  return html`<code title="${digest}"><span aria-hidden="true">${short}…</span><span class="visually-hidden">${digest}</span></code>`
}
