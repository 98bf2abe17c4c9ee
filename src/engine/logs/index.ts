/** Container logs: conmon k8s-file records → Docker log entries; rotation; log-opts. */
export type { LogEntry, ReadLogsOptions, LogRotation } from '../logs-types.js';
export { parseLogLine, parseRecordBytes, logTimeToUnix, formatLogTimestamp } from './parse.js';
export type { LogRecord, RawLogRecord } from './parse.js';
export { readLogs } from './read-logs.js';
export type { LogPaths } from './read-logs.js';
export { rotateIfNeeded, rotatedPath } from './rotate.js';
export { parseLogOpts, parseHumanSize, DEFAULT_LOG_ROTATION } from './parse-log-opts.js';
export { PartialJoiner } from './joiner.js';
