// Free loopback ports: the self-test's helpers (appliance/selftest/loopback-ports.ts), shared with the tests.
export * from '../../appliance/selftest/loopback-ports';
