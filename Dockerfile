# The service runs compiled JavaScript (dist/), built from src/ by `npm run build`, as `npm ci` does (ADR 0010).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data PORT=5000 HOST=0.0.0.0
COPY package.json package-lock.json ./
# Dependencies first, in a layer of their own; the build runs below, once the sources are in.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
RUN npm run build
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 5000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:5000/-/readiness').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/dependency-proxy.mjs"]
CMD ["serve"]
