// pcap and RTP builders: the self-test's (appliance/selftest/pcap-builder.ts), shared with the tests.
export * from '../../appliance/selftest/pcap-builder';
