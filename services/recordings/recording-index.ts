// The index record of a stored recording and the repository this service
// writes through. The store owns these row types (it is the lower floor);
// they are re-exported here so the pipeline reads as before.
export type { ChannelSource, PausedSpan, RecordingIndexRecord, RecordingRepository } from '../store';
