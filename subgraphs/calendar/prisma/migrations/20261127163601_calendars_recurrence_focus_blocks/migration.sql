-- CreateEnum
CREATE TYPE "FocusBlockStatus" AS ENUM ('SCHEDULED', 'STARTED', 'CANCELLED');

-- CreateTable
CREATE TABLE "calendars" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "color" TEXT NOT NULL DEFAULT '#4f46e5',
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "source" "CalendarEventSource" NOT NULL DEFAULT 'LOCAL',
    "external_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "calendars_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "calendar_events" ADD COLUMN     "attendees" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "calendar_id" UUID,
ADD COLUMN     "description" TEXT,
ADD COLUMN     "end_date" TEXT,
ADD COLUMN     "exdates" TIMESTAMPTZ(3)[] DEFAULT ARRAY[]::TIMESTAMPTZ(3)[],
ADD COLUMN     "original_starts_at" TIMESTAMPTZ(3),
ADD COLUMN     "recurring_event_id" UUID,
ADD COLUMN     "rrule" TEXT,
ADD COLUMN     "sequence" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "start_date" TEXT;

-- Backfill (hand-written): every existing event moves into its owner's new default calendar and
-- gets an etag, then both columns become required.
INSERT INTO "calendars" ("id", "organization_id", "user_id", "name", "is_default", "updated_at")
SELECT gen_random_uuid(), "organization_id", "user_id", 'Calendar', true, CURRENT_TIMESTAMP
FROM (SELECT DISTINCT "organization_id", "user_id" FROM "calendar_events") AS owners;
UPDATE "calendar_events" AS e SET "calendar_id" = c."id"
FROM "calendars" AS c WHERE c."organization_id" = e."organization_id" AND c."user_id" = e."user_id" AND c."is_default";
UPDATE "calendar_events" SET "etag" = md5(random()::text || "id"::text) WHERE "etag" IS NULL;
ALTER TABLE "calendar_events" ALTER COLUMN "calendar_id" SET NOT NULL, ALTER COLUMN "etag" SET NOT NULL;

-- CreateTable
CREATE TABLE "focus_blocks" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "FocusBlockStatus" NOT NULL DEFAULT 'SCHEDULED',
    "session_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "focus_blocks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_profiles" (
    "user_id" UUID NOT NULL,
    "timezone" TEXT NOT NULL,
    "working_hours" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "user_profiles_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "calendar_feeds" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    "last_accessed_at" TIMESTAMPTZ(3),

    CONSTRAINT "calendar_feeds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "calendars_organization_id_user_id_idx" ON "calendars"("organization_id", "user_id");

-- CreateIndex
CREATE INDEX "focus_blocks_organization_id_user_id_starts_at_idx" ON "focus_blocks"("organization_id", "user_id", "starts_at");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_feeds_token_hash_key" ON "calendar_feeds"("token_hash");

-- CreateIndex
CREATE INDEX "calendar_feeds_organization_id_user_id_idx" ON "calendar_feeds"("organization_id", "user_id");

-- CreateIndex
CREATE INDEX "calendar_events_calendar_id_idx" ON "calendar_events"("calendar_id");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_events_recurring_event_id_original_starts_at_key" ON "calendar_events"("recurring_event_id", "original_starts_at");

-- AddForeignKey
ALTER TABLE "calendar_events" ADD CONSTRAINT "calendar_events_calendar_id_fkey" FOREIGN KEY ("calendar_id") REFERENCES "calendars"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "calendar_events" ADD CONSTRAINT "calendar_events_recurring_event_id_fkey" FOREIGN KEY ("recurring_event_id") REFERENCES "calendar_events"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- One default calendar per user and organization (hand-written: Prisma has no partial indexes).
CREATE UNIQUE INDEX "calendars_one_default_per_user" ON "calendars"("organization_id", "user_id") WHERE "is_default" AND "deleted_at" IS NULL;
