#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: the pinned pnpm, npm dependencies, the
# generated Prisma client. Maven jars for the stack are fetched by stack/stack.sh on first `up`.
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '[bootstrap] %s\n' "$*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 || { say "missing prerequisite: $1 ($2)"; exit 1; }
}
need node "Node.js >= 20.19"
need npm "comes with Node.js"
need java "Java 17+ runs Kafka"
need mvn "Maven fetches the Kafka and Apicurio jars from Maven Central"

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error(`[bootstrap] Node ${process.versions.node} is too old: need >= 20.19`); process.exit(1) }'

pinned=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null || true)" != "$pinned" ]; then
  say "installing pnpm $pinned"
  npm install --global --no-fund --no-audit "pnpm@$pinned" >/dev/null
fi

say "installing dependencies (pnpm install --frozen-lockfile)"
pnpm install --frozen-lockfile --reporter=silent

say "generating the Prisma client"
pnpm --silent db:generate >/dev/null
