-- CreateEnum
CREATE TYPE "CalendarEventSource" AS ENUM ('LOCAL', 'GOOGLE', 'MICROSOFT');

-- CreateTable
CREATE TABLE "calendar_events" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "timezone" TEXT NOT NULL,
    "all_day" BOOLEAN NOT NULL DEFAULT false,
    "busy" BOOLEAN NOT NULL DEFAULT true,
    "source" "CalendarEventSource" NOT NULL DEFAULT 'LOCAL',
    "external_id" TEXT,
    "etag" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "calendar_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "calendar_events_organization_id_user_id_starts_at_idx" ON "calendar_events"("organization_id", "user_id", "starts_at");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_events_organization_id_user_id_source_external_id_key" ON "calendar_events"("organization_id", "user_id", "source", "external_id");
