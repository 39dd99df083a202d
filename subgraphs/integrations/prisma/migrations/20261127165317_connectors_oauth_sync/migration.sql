-- AlterTable
ALTER TABLE "provider_integrations" ADD COLUMN     "channel_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "channel_id" TEXT,
ADD COLUMN     "channel_resource_id" TEXT,
ADD COLUMN     "channel_token_hash" TEXT,
ADD COLUMN     "external_account_id" TEXT,
ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "provider_state" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "sync_cursor" TEXT,
ADD COLUMN     "token_expires_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "oauth_states" (
    "id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "session_id" TEXT,
    "provider" "Provider" NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "code_verifier_ciphertext" BYTEA NOT NULL,
    "key_version" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_states_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "integration_synced_items" (
    "connection_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'INBOUND',
    "etag" TEXT,
    "remote_updated_at" TIMESTAMPTZ(3),
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "local_id" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "integration_synced_items_pkey" PRIMARY KEY ("connection_id","external_id")
);

-- CreateTable
CREATE TABLE "integration_conflicts" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "local_id" TEXT,
    "winner" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "local_etag" TEXT,
    "remote_etag" TEXT,
    "local_updated_at" TIMESTAMPTZ(3),
    "remote_updated_at" TIMESTAMPTZ(3),
    "fields" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "integration_conflicts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_receipts" (
    "provider" "Provider" NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_receipts_pkey" PRIMARY KEY ("provider","delivery_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "oauth_states_state_hash_key" ON "oauth_states"("state_hash");

-- CreateIndex
CREATE INDEX "oauth_states_expires_at_idx" ON "oauth_states"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "integration_synced_items_connection_id_local_id_key" ON "integration_synced_items"("connection_id", "local_id");

-- CreateIndex
CREATE INDEX "integration_conflicts_organization_id_user_id_created_at_idx" ON "integration_conflicts"("organization_id", "user_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "provider_integrations_channel_id_key" ON "provider_integrations"("channel_id");

-- CreateIndex
CREATE INDEX "provider_integrations_provider_external_account_id_idx" ON "provider_integrations"("provider", "external_account_id");

-- AddForeignKey
ALTER TABLE "integration_synced_items" ADD CONSTRAINT "integration_synced_items_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "provider_integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "integration_conflicts" ADD CONSTRAINT "integration_conflicts_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "provider_integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
