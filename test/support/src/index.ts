export { databaseUrlForTests, dropSchema, uniqueSchemaName } from './postgres.js';
