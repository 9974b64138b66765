// The configuration schema lives in services/common/config.ts: every service
// reads its part of it, and services may not import the appliance. The
// appliance (loading, the CLI, the supervisor) keeps this path.
export * from '../../services/common/config';
