/**
 * The one stylesheet, served at `/assets/app.css` (the CSP allows styles only from this origin, so no inline
 * styles anywhere). Colours are chosen for at least 4.5:1 contrast on their backgrounds; focus is always
 * visible; below 40rem everything stacks, and only table containers scroll sideways.
 */
export const STYLESHEET = `
*, *::before, *::after { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; line-height: 1.5;
  color: #1f1e24; background: #ffffff; -webkit-text-size-adjust: 100%; }
body { margin: 0; overflow-wrap: break-word; }
a { color: #1f63b5; }
a:hover { color: #12467f; }
:focus-visible { outline: 3px solid #1f63b5; outline-offset: 2px; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 1.5rem 0 1rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; padding-bottom: .25rem; border-bottom: 1px solid #dcdcde; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em; }
code { overflow-wrap: anywhere; }
pre { background: #f3f3f5; padding: .75rem; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; margin: .5rem 0; }
.container { max-width: 72rem; margin: 0 auto; padding: 0 1rem 2rem; }
.narrow { max-width: 28rem; }
.skip-link { position: absolute; left: -10000px; top: .5rem; background: #ffffff; padding: .5rem 1rem; z-index: 1; }
.skip-link:focus { left: .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.site-header { background: #fbfafd; border-bottom: 1px solid #dcdcde; }
.site-header .bar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between;
  gap: .5rem 1.5rem; padding-top: .5rem; padding-bottom: .5rem; }
.site-header nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
.brand { font-weight: 700; color: #1f1e24; text-decoration: none; }
.account { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.account form { margin: 0; }
.breadcrumb ol { list-style: none; padding: 0; margin: 1rem 0 0; display: flex; flex-wrap: wrap; gap: .25rem; color: #535158; }
.breadcrumb li + li::before { content: "/"; margin-right: .25rem; }
.subtitle { display: block; font-size: 1rem; font-weight: 400; color: #535158; margin-top: .25rem; }
.button { font: inherit; display: inline-block; padding: .45rem .9rem; border-radius: 4px; border: 1px solid #1f63b5;
  background: #1f63b5; color: #ffffff; cursor: pointer; text-decoration: none; }
.button:hover { background: #12467f; color: #ffffff; }
.button.secondary { background: #ffffff; color: #1f63b5; }
.button.secondary:hover { background: #eef4fb; color: #12467f; }
.button.danger { background: #b3261e; border-color: #b3261e; }
.button.danger:hover { background: #8c1d17; }
.button.link { background: none; border: none; color: #1f63b5; padding: 0; text-decoration: underline; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .875rem; font-weight: 600; }
.badge.on { background: #dff3e4; color: #0d532a; }
.badge.off { background: #f0f0f2; color: #3d3c42; }
.notice { padding: .75rem 1rem; border-radius: 4px; margin: 1rem 0; border: 1px solid; }
.notice.success { background: #ecf7ef; border-color: #108548; color: #0d532a; }
.notice.error { background: #fdf0ef; border-color: #b3261e; color: #8c1d17; }
.notice.warning { background: #fdf6e3; border-color: #a15c00; color: #6b3d00; }
.notice p { margin: 0; }
.prefix { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem; }
.prefix code { background: #f3f3f5; padding: .35rem .6rem; border-radius: 4px; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.stats div { border: 1px solid #dcdcde; border-radius: 4px; padding: .5rem .75rem; }
.stats dt { color: #535158; font-size: .875rem; }
.stats dd { margin: 0; font-size: 1.25rem; font-weight: 600; }
.summary { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
.summary dt { font-weight: 600; }
.summary dd { margin: 0; min-width: 0; }
.table-wrap { overflow-x: auto; max-width: 100%; border: 1px solid #dcdcde; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; padding: .5rem; color: #535158; }
th, td { text-align: left; padding: .5rem .75rem; border-top: 1px solid #dcdcde; vertical-align: top; white-space: nowrap; }
thead th { background: #f3f3f5; border-top: none; }
.pagination { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: .75rem 0; }
.hint { color: #535158; font-size: .9rem; margin: .25rem 0 0; }
.fieldset-hint { margin: 0 0 .75rem; }
.field { margin: 0 0 1rem; }
.field label { display: block; font-weight: 600; margin-bottom: .25rem; }
.field.check label { display: inline; font-weight: 600; margin-left: .35rem; }
.field-error { color: #b3261e; font-weight: 600; margin: .25rem 0 0; }
input[type="text"], input[type="password"], input[type="number"] { font: inherit; width: 100%; max-width: 26rem;
  padding: .45rem .6rem; border: 1px solid #89888d; border-radius: 4px; color: #1f1e24; background: #ffffff; }
input[aria-invalid="true"] { border-color: #b3261e; border-width: 2px; }
input[type="checkbox"] { width: 1.1rem; height: 1.1rem; vertical-align: middle; accent-color: #1f63b5; }
fieldset { border: 1px solid #dcdcde; border-radius: 4px; margin: 0 0 1rem; padding: .75rem 1rem; min-width: 0; }
legend { font-weight: 600; padding: 0 .25rem; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; }
.row-actions { flex-wrap: nowrap; gap: .5rem; }
.row-actions form { margin: 0; }
select { font: inherit; padding: .4rem .5rem; border: 1px solid #89888d; border-radius: 4px; background: #ffffff; color: #1f1e24; }
.group-tree { list-style: none; padding-left: 0; margin: .5rem 0; }
.group-tree .group-tree { padding-left: 1.5rem; border-left: 2px solid #dcdcde; margin-left: .5rem; }
.group-row { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; padding: .4rem 0; border-bottom: 1px solid #ececef; }
.card { border: 1px solid #dcdcde; border-radius: 4px; padding: 1rem; margin: 1rem 0; }
@media (max-width: 40rem) {
  h1 { font-size: 1.45rem; }
  .summary { grid-template-columns: 1fr; }
  .summary dd { margin-bottom: .5rem; }
}
`
