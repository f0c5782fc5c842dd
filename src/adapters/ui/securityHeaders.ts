import { COPY_SCRIPT_HASH } from "./copyScript.js"

/**
 * Headers on every UI response. The CSP is the second line behind escaping: even an injected tag could not run
 * a script, load a style from elsewhere, post a form to another origin, or be framed (clickjacking).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'none'",
    "style-src 'self'",
    `script-src ${COPY_SCRIPT_HASH}`,
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'"
  ].join("; "),
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin"
}
