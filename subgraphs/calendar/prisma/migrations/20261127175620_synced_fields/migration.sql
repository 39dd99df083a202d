-- AlterTable
ALTER TABLE "calendar_events" ADD COLUMN     "synced_fields" JSONB;
