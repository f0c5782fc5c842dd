/**
 * HTML built only through `html` templates: every interpolated value is escaped unless it is already `Html`.
 * Group paths, usernames, image names and tags are user data, so nothing reaches a page unescaped by accident.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** What a template accepts: markup, text (escaped), or nothing (null, undefined, false render as ""). */
export type HtmlPart = Html | string | number | null | undefined | false | ReadonlyArray<HtmlPart>

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }

/** Escapes the five characters that matter in text and in quoted attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)

const render = (part: HtmlPart): string => {
  if (part instanceof Html) return part.value
  if (part === null || part === undefined || part === false) return ""
  if (typeof part === "string") return escapeHtml(part)
  if (typeof part === "number") return escapeHtml(String(part))
  return part.map(render).join("")
}

export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<HtmlPart>): Html => {
  let out = strings[0] ?? ""
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "")
  })
  return new Html(out)
}

/** Trusted markup written in this module (the stylesheet link, the copy script); never user data. */
export const trusted = (markup: string): Html => new Html(markup)
