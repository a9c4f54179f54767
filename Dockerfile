# One image for both apps; the command chooses which one runs:
#   node dist/apps/identity/main.js     (the default)
#   node dist/apps/weather-api/main.js
# See docker-compose.yml for both, wired together. No secret is baked in: every setting, and every
# credential, comes from the environment when the container starts.

# --- toolchain: better-sqlite3 is a native addon; when no prebuilt binary fits, npm compiles it ---
FROM node:20-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# swagger-ui-dist's @scarf/scarf phones home from its install script (package.json's allowScripts
# refuses it under npm 11; the image's npm 10 ignores allowScripts and runs every script).
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
# npm workspaces: each package's manifest is part of the install (libs/*/package.json).
COPY libs/shared/package.json libs/shared/
COPY libs/jwt-bearer/package.json libs/jwt-bearer/
COPY libs/token-client/package.json libs/token-client/
COPY libs/server/package.json libs/server/

# --- build: every dependency, then `nest build` for both apps and the CLI, and the packages ------
FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm run build:packages

# --- production dependencies only, with better-sqlite3's binary built for this very base image ---
FROM toolchain AS production-dependencies
# The check fails the build here, not the container at start, if the addon's install script did
# not run.
RUN npm ci --omit=dev --no-audit --no-fund \
 && node -e "new (require('better-sqlite3'))(':memory:').close()"

# --- runtime: no compiler, no dev dependencies, no npm cache; runs as the unprivileged `node` ------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# The packages as npm publishes them (their package.json, dist/ and the server's bin), which the
# workspace links in node_modules/@nest-identity point at: `nest-identity clients list` and
# `nest-identity serve` run in the image as they do from the published package.
COPY --from=build /app/libs/shared/package.json /app/libs/shared/
COPY --from=build /app/libs/shared/dist /app/libs/shared/dist
COPY --from=build /app/libs/jwt-bearer/package.json /app/libs/jwt-bearer/
COPY --from=build /app/libs/jwt-bearer/dist /app/libs/jwt-bearer/dist
COPY --from=build /app/libs/token-client/package.json /app/libs/token-client/
COPY --from=build /app/libs/token-client/dist /app/libs/token-client/dist
COPY --from=build /app/libs/server/package.json /app/libs/server/
COPY --from=build /app/libs/server/dist /app/libs/server/dist
COPY --from=build /app/libs/server/bin /app/libs/server/bin
COPY config ./config
# The identity's embedded database (when DATABASE_URL is unset) lives here: mount a volume on it.
# Owner-only, as the identity creates it: it holds the signing keys (a new volume copies the mode).
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
ENV IDENTITY_DATA_DIR=/data
USER node
# identity, weather-api
EXPOSE 5001 5003
# No HEALTHCHECK: the port depends on which app runs; docker-compose.yml probes each service.
CMD ["node", "dist/apps/identity/main.js"]
