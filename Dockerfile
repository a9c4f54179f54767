# One image for both apps; the command chooses which one runs:
#   node dist/apps/identity/main.js     (the default)
#   node dist/apps/weather-api/main.js
# See docker-compose.yml for both, wired together.

# --- build: every dependency, then `nest build` for both apps -------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies, the bundles and the configuration, as user `node` ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
# The identity keeps its signing key here (mode 0600); mount a volume so it survives the container.
RUN mkdir -p /data && chown node:node /data
ENV IDENTITY_DATA_DIR=/data
USER node
# identity, weather-api
EXPOSE 5001 5003
CMD ["node", "dist/apps/identity/main.js"]
