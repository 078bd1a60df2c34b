# The gateway image used by the compose lab (docker-compose.yml).
# Node 22 LTS: Node 20 is end-of-life; require(esm) for @xmpp/* is unflagged on both.
FROM node:22.11.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# postinstall applies patches/ (patch-package) to drachtio-srf
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY plugin ./plugin
COPY adapters ./adapters
COPY config ./config
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

FROM node:22.11.0-bookworm-slim
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config/example.yaml ./config/example.yaml
# Presence state (gateway.presence.store: SQLite) lives here, not next to the read-only config.
RUN mkdir -p /var/lib/drachtio-xmpp-gateway && chown node:node /var/lib/drachtio-xmpp-gateway
VOLUME /var/lib/drachtio-xmpp-gateway
USER node
EXPOSE 5269
ENTRYPOINT ["node", "dist/bin/drachtio-xmpp-gateway.js"]
CMD ["start", "--config", "/etc/drachtio-xmpp-gateway/gateway.yaml"]
