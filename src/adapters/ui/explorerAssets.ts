import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

/**
 * The GraphQL explorer's files, served from npm packages in node_modules (GraphiQL 3's browser build and
 * React 18's), never from a CDN: the explorer works with no network beyond this service. GraphiQL 3 is the
 * last line with a build that runs from plain script tags; React 18 the last with UMD builds.
 */
const PACKAGE_FILES = {
  "react.js": ["react", "umd/react.production.min.js"],
  "react-dom.js": ["react-dom", "umd/react-dom.production.min.js"],
  "graphiql.js": ["graphiql", "graphiql.min.js"],
  "graphiql.css": ["graphiql", "graphiql.min.css"]
} as const

export type ExplorerAsset = keyof typeof PACKAGE_FILES | "explorer.js" | "explorer.css"

/** Starts GraphiQL against `/api/graphql`; the CSRF token lets the session cookie sign the requests in. */
const BOOTSTRAP = `"use strict";
(function () {
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var fetcher = GraphiQL.createFetcher({ url: "/api/graphql", headers: { "X-CSRF-Token": token } });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: "# Welcome to the Dependency Proxy's GraphQL explorer.\\n# Press the run button (or Ctrl-Enter) to run a query.\\n\\nquery {\\n  currentUser {\\n    username\\n  }\\n}\\n"
  }));
})();
`

const STYLE = "html, body, #graphiql { height: 100%; margin: 0; }\n"

const TYPES: Readonly<Record<string, string>> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" }

// Own keys only: `in` also finds what every object inherits (`constructor`, `toString`), which are no assets.
export const isExplorerAsset = (name: string): name is ExplorerAsset => Object.hasOwn(PACKAGE_FILES, name) || name === "explorer.js" || name === "explorer.css"

const packageFile = (pkg: string, file: string): string =>
  join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), file)

const loaded = new Map<ExplorerAsset, Promise<Buffer>>()

/** An asset's bytes and content type; package files are read once, on first use, and kept. */
export const explorerAsset = async (name: ExplorerAsset): Promise<{ readonly body: Buffer; readonly contentType: string }> => {
  const contentType = TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream"
  if (name === "explorer.js") return { body: Buffer.from(BOOTSTRAP), contentType }
  if (name === "explorer.css") return { body: Buffer.from(STYLE), contentType }
  let body = loaded.get(name)
  if (body === undefined) {
    const [pkg, file] = PACKAGE_FILES[name]
    body = readFile(packageFile(pkg, file))
    loaded.set(name, body)
  }
  return { body: await body, contentType }
}
