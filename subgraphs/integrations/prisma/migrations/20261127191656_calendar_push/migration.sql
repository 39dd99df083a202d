-- AlterTable
ALTER TABLE "integration_synced_items" ADD COLUMN     "pushed_etag" TEXT,
ADD COLUMN     "pushed_sequence" INTEGER;
