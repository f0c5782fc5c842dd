import { type Html, html } from "../html.js"
import { layout, type Viewer } from "./layout.js"

/** 403, 404, 5xx: a heading, one sentence of what to do, a way back. Never internal detail. */
export const errorPage = (heading: string, message: string, viewer: Viewer | null): Html =>
  layout(heading, viewer, html`<h1>${heading}</h1>
<p>${message}</p>
<p><a href="${viewer === null ? "/users/sign_in" : "/groups"}">${viewer === null ? "Go to the sign-in page" : "Back to your groups"}</a></p>`)
