# syntax=docker/dockerfile:1
# One image for the gateway and all six subgraphs; docker-compose.yml picks the entry point:
#   node gateway/dist/main.js   |   node subgraphs/<name>/dist/main.js
FROM node:20-slim AS build
WORKDIR /app
ENV CI=true \
    PNPM_HOME=/pnpm \
    PATH=/pnpm:$PATH
# corepack fails to verify pnpm's signatures in some environments: install pnpm with npm instead.
RUN npm install -g pnpm@10.34.9

# Fetch every package in the lockfile first (layer cached until the lockfile changes) ...
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json .npmr[c] ./
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm config set store-dir /pnpm/store && pnpm fetch

# ... then link the workspace from that store and build it.
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/pnpm/store \
    pnpm config set store-dir /pnpm/store && pnpm install --frozen-lockfile --offline
# `pnpm install` generated the Prisma clients and resolver types (not committed) in its postinstall step.
RUN pnpm build

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    FLOWFORGE_DATA_DIR=/data
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4000-4006
CMD ["node", "gateway/dist/main.js"]
