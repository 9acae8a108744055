export { AdminCommands, type AdminRequest } from './admin/admin-commands.js';
export { adminSocketPath, sendAdminCommand } from './admin/admin-socket.js';
export { JwtService } from './auth/jwt-service.js';
export { SessionTokens, sessionTokensFor } from './auth/session-tokens.js';
export {
  ConfigError,
  environmentHelp,
  type GatewayConfig,
  loadCheckSettings,
  loadConfig,
  SETTINGS,
  settingsTable,
} from './config.js';
export { GatewayError } from './core/gateway-error.js';
export { hashLicenseKey, LicenseService } from './core/license-service.js';
export { TenantService } from './core/tenant-service.js';
export { createLogger } from './logger.js';
export { openStore, type RunningGateway, resolveJwtSecret, StartupError, startGateway } from './start-gateway.js';
export { DataDirLock, DataDirLockedError } from './store/data-dir-lock.js';
export { type Database, type DatabaseTarget, openDatabase } from './store/database.js';
export { restoreEmbeddedBackup, writeBackupFile } from './store/embedded-backup.js';
export { loadDownMigrations, rollback, rollbackTargets } from './store/migration-rollback.js';
export { loadMigrations, migrate, migrationStatus } from './store/migrator.js';
export { grantRuntimeRole, RUNTIME_TABLES, runtimeRoleGrants } from './store/runtime-role.js';
export { type RepairedSequence, repairSequences, type SequenceCheck } from './store/sequence-check.js';
export { createStores, type Stores } from './store/stores.js';
export { systemClock } from './system-clock.js';
export { VERSION } from './version.js';
