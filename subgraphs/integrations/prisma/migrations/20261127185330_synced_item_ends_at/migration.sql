-- AlterTable
ALTER TABLE "integration_synced_items" ADD COLUMN     "remote_ends_at" TIMESTAMPTZ(3);
