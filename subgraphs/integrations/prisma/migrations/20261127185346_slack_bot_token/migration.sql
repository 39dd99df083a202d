-- AlterTable
ALTER TABLE "provider_integrations" ADD COLUMN     "bot_refresh_token_ciphertext" BYTEA,
ADD COLUMN     "bot_scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "bot_token_ciphertext" BYTEA,
ADD COLUMN     "bot_token_expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "bot_token_key_version" INTEGER,
ADD COLUMN     "bot_user_id" TEXT;
