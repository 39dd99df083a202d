-- AlterTable
ALTER TABLE "focus_sessions" ADD COLUMN     "focus_block_id" UUID;
