-- CreateEnum
CREATE TYPE "Provider" AS ENUM ('GOOGLE_CALENDAR', 'SLACK', 'MICROSOFT_TEAMS', 'JIRA', 'GITHUB');

-- CreateEnum
CREATE TYPE "ProviderConnectionStatus" AS ENUM ('PENDING', 'CONNECTED', 'NEEDS_REAUTH', 'DISCONNECTED');

-- CreateEnum
CREATE TYPE "SyncRunStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "provider_integrations" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "provider" "Provider" NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" "ProviderConnectionStatus" NOT NULL DEFAULT 'PENDING',
    "access_token_ciphertext" BYTEA,
    "refresh_token_ciphertext" BYTEA,
    "token_key_version" INTEGER,
    "last_sync_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provider_integrations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_sync_logs" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "status" "SyncRunStatus" NOT NULL DEFAULT 'RUNNING',
    "items_synced" INTEGER NOT NULL DEFAULT 0,
    "duration_ms" INTEGER,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integration_sync_logs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "provider_integrations_organization_id_user_id_provider_key" ON "provider_integrations"("organization_id", "user_id", "provider");

-- CreateIndex
CREATE INDEX "integration_sync_logs_organization_id_user_id_idx" ON "integration_sync_logs"("organization_id", "user_id");

-- CreateIndex
CREATE INDEX "integration_sync_logs_connection_id_started_at_idx" ON "integration_sync_logs"("connection_id", "started_at" DESC);

-- AddForeignKey
ALTER TABLE "integration_sync_logs" ADD CONSTRAINT "integration_sync_logs_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "provider_integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
