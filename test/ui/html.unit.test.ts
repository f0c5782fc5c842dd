import { describe, expect, it } from "vitest"
import { escapeHtml, html } from "../../src/adapters/ui/html.js"
import { groupListPage } from "../../src/adapters/ui/views/groupListView.js"

describe("HTML escaping", () => {
  it("escapes the five characters that can break out of text or a quoted attribute", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
  })

  it("escapes interpolated text, keeps nested templates, and renders null, undefined and false as nothing", () => {
    const name = "<script>alert(1)</script>"
    expect(html`<p title="${name}">${name}${html`<b>ok</b>`}${null}${undefined}${false}${[1, "<"]}</p>`.value)
      .toBe("<p title=\"&lt;script&gt;alert(1)&lt;/script&gt;\">&lt;script&gt;alert(1)&lt;/script&gt;<b>ok</b>1&lt;</p>")
  })

  it("a hostile group name and username reach the page only as text", () => {
    const page = groupListPage({ username: "<img src=x onerror=alert(1)>", csrf: "t\"><x" }, [{
      group: {
        groupId: 1, path: "evil", name: "<svg onload=alert(1)>", parentId: null, ancestorIds: [], fullPath: "evil", createdAt: new Date(0),
        settings: { enabled: true, identity: null, secret: null, ttlPolicy: { enabled: false, ttlDays: 90 }, ssoEnforced: false, serveStaleOnNotFound: false, manifestCheckIntervalSeconds: 0, credentialsRejected: null }
      },
      role: "Owner"
    }], true).value
    expect(page).not.toMatch(/<img src=x|<svg onload|"><x/)
    expect(page).toContain("&lt;svg onload=alert(1)&gt;")
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;")
  })
})
