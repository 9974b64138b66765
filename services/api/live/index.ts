export { LiveServer, CLOSE_SESSION_ENDED } from './live-server';
export { SystemMonitor, type SystemInfo, type SystemSample } from './system-monitor';
