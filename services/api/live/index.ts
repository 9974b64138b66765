export { LiveServer, CLOSE_SESSION_ENDED, type LiveMessage, type LiveProcess } from './live-server';
export { SystemMonitor, type SystemInfo, type SystemSample, type CallState } from './system-monitor';
