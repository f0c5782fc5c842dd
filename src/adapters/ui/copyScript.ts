import { createHash } from "node:crypto"

/**
 * The page's only script: shows the copy buttons (hidden without JavaScript, where they could not work)
 * and copies the text of the element a button names. Without the async clipboard (plain-http pages are not a
 * secure context) it selects the text and tries `execCommand("copy")`, and says so when that fails too.
 */
export const COPY_SCRIPT = `(() => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.status);
    if (!source || !status) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const text = source.textContent.trim();
      const copied = () => { status.textContent = "Copied to the clipboard."; };
      const fallback = () => {
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        status.textContent = document.execCommand("copy") ? "Copied to the clipboard." : "Selected: press Ctrl+C to copy.";
      };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(copied, fallback); else fallback();
    });
  }
})();`

/** The CSP allows exactly this script, by hash, and nothing else (no inline handlers, no other sources). */
export const COPY_SCRIPT_HASH = `'sha256-${createHash("sha256").update(COPY_SCRIPT).digest("base64")}'`
