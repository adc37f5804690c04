import { Module } from '@nestjs/common';

/** The notifier's features are added here as their issues land; the runtime gives it bus, database, health. */
@Module({})
export class NotifierModule {}
