// Audit events to a SIEM: syslog (RFC 5424 + CEF) or JSON lines over TCP/TLS.
export { SiemForwarder, type SiemStatus, type SiemForwarderOptions } from './forwarder';
export { siemSettingsSchema, SIEM_SETTINGS_KEY, SIEM_CURSOR_KEY, type SiemSettings } from './settings';
export { siemFormats, toCef, toSyslog, toJsonLine, octetCounted, type SiemFormat } from './format';
