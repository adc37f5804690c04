# syntax=docker/dockerfile:1
# One image for the seven services. The build argument SERVICE picks the one it runs by default
# (`docker build --build-arg SERVICE=gateway .`); the first argument of `docker run` picks another
# (`docker run aviary orchestrator`). Build context: the repository root (see .dockerignore).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Only the package manifests and the lockfile, so that `npm ci` is cached until they change.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -depth -type d -empty -delete

# Every dependency, exactly as the lockfile pins them.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# Compiled libraries and services (and the web UI the gateway serves).
FROM deps AS build
COPY . .
RUN npm run build

# Compiled code only: each workspace's package.json and dist (and the web UI the gateway serves).
FROM build AS compiled
RUN mkdir /out \
 && for workspace in libs/* services/* services/gateway/web; do \
      mkdir -p "/out/$workspace" && cp -r "$workspace/package.json" "$workspace/dist" "/out/$workspace/"; \
    done \
 && find /out -name '*.map' -delete

# Production dependencies only: the test harness and benchmarks leave the workspace (and the
# lockfile) first, so that nothing they need is installed.
FROM ${NODE_IMAGE} AS production-deps
WORKDIR /src
COPY --from=manifests /src ./
RUN --mount=type=cache,target=/root/.npm \
    node -e "const fs=require('fs');const p=JSON.parse(fs.readFileSync('package.json'));p.workspaces=p.workspaces.filter((w)=>/^(libs|services)\//.test(w));fs.writeFileSync('package.json',JSON.stringify(p,null,2))" \
 && rm -rf test bench examples \
 && npm install --package-lock-only --no-audit --no-fund \
 && npm ci --omit=dev --no-audit --no-fund \
 && rm -rf test bench

FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM to the service (which drains) and reaps what the builder's step
# process groups leave behind; git for the builder's checkouts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini git ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/*
ARG SERVICE=gateway
# NODE_OPTIONS: V8's young-generation half-spaces at 1 MB. A service's garbage is small and short-lived;
# the default lets each process grow tens of MB of new space it never needs (bench/footprint: the seven
# services 1,291 -> 1,005 MB).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=1 \
    AVIARY_SERVICE=${SERVICE} \
    AVIARY_HOST=0.0.0.0 \
    PORT=8080 \
    LOG_FORMAT=json \
    HOME=/tmp \
    BUILDER_WORK_DIR=/var/lib/aviary/builder
WORKDIR /app
COPY --from=production-deps /src ./
COPY --from=compiled /out ./
COPY --chmod=0755 deploy/docker/aviary-service.sh /usr/local/bin/aviary-service
# The node image's unprivileged user (uid 1000) runs the service; only its work folder is writable.
RUN mkdir -p /var/lib/aviary/builder && chown -R node:node /var/lib/aviary
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/aviary-service"]
