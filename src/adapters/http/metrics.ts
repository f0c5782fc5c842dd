import { Metric, MetricState } from "effect"
import type { FastifyInstance } from "fastify"
import { Counter, collectDefaultMetrics, Registry } from "prom-client"

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")

const labels = (tags: ReadonlyArray<{ readonly key: string; readonly value: string }>, extra: Record<string, string> = {}) => {
  const all = [...tags.map((t) => [t.key, t.value] as const), ...Object.entries(extra)]
  return all.length === 0 ? "" : `{${all.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`
}

/**
 * The application's Effect metrics in Prometheus' text format. prom-client has no collector for them, so
 * they are rendered here and appended to prom-client's own output.
 */
export const renderEffectMetrics = (): string => {
  const byName = new Map<string, Array<string>>()
  const kinds = new Map<string, string>()
  const add = (name: string, kind: string, line: string) => {
    kinds.set(name, kind)
    byName.set(name, [...(byName.get(name) ?? []), line])
  }
  for (const pair of Metric.unsafeSnapshot()) {
    const { name, tags } = pair.metricKey
    const state = pair.metricState
    if (MetricState.isCounterState(state)) add(name, "counter", `${name}${labels(tags)} ${Number(state.count)}`)
    else if (MetricState.isGaugeState(state)) add(name, "gauge", `${name}${labels(tags)} ${Number(state.value)}`)
    else if (MetricState.isHistogramState(state)) {
      for (const [bound, count] of state.buckets) {
        if (Number.isFinite(bound)) add(name, "histogram", `${name}_bucket${labels(tags, { le: String(bound) })} ${count}`)
      }
      add(name, "histogram", `${name}_bucket${labels(tags, { le: "+Inf" })} ${state.count}`)
      add(name, "histogram", `${name}_sum${labels(tags)} ${state.sum}`)
      add(name, "histogram", `${name}_count${labels(tags)} ${state.count}`)
    }
  }
  return [...byName.entries()].map(([name, lines]) => `# TYPE ${name} ${kinds.get(name)}\n${lines.join("\n")}`).join("\n") + "\n"
}

/** Which route a request took, as a bounded label (never the path, which holds group and image names). */
export const routeLabel = (url: string, method: string): string => {
  const path = url.split("?")[0] ?? ""
  if (path === "/v2" || path === "/v2/") return "registry_base"
  if (path.startsWith("/v2/")) {
    if (method !== "GET" && method !== "HEAD") return "registry_push"
    if (/\/manifests\/[^/]+$/.test(path)) return "registry_manifest"
    if (/\/blobs\/[^/]+$/.test(path)) return "registry_blob"
    if (/\/tags\/list$/.test(path)) return "registry_tags"
    return "registry_other"
  }
  if (path === "/jwt/auth") return "token"
  if (path.startsWith("/api/graphql")) return "graphql"
  if (path.startsWith("/api/")) return "api"
  if (path.startsWith("/-/peer/")) return "peer"
  if (path.startsWith("/-/")) return "health"
  if (path === "/metrics") return "metrics"
  return "ui"
}

/** `/metrics`: HTTP requests by route and result, bytes served, process metrics and the application's own. */
export const registerMetrics = (app: FastifyInstance) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const requests = new Counter({
    name: "dependency_proxy_http_requests_total",
    help: "HTTP requests by route and status class",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry]
  })
  const served = new Counter({
    name: "dependency_proxy_bytes_served_total",
    help: "Response body bytes announced for manifests and blobs",
    labelNames: ["route"] as const,
    registers: [registry]
  })
  app.addHook("onResponse", async (request, reply) => {
    const route = routeLabel(request.url, request.method)
    requests.inc({ route, method: request.method, status: `${Math.floor(reply.statusCode / 100)}xx` })
    const length = Number(reply.getHeader("content-length"))
    if (request.method === "GET" && (route === "registry_blob" || route === "registry_manifest") && Number.isFinite(length)) {
      served.inc({ route }, length)
    }
  })
  app.get("/metrics", async (_request, reply) => {
    const text = (await registry.metrics()) + renderEffectMetrics()
    return reply.header("content-type", registry.contentType).send(text)
  })
}
