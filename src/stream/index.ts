/** Stream mode: the exactly-once non-interactive command path. */
export { runStream, type StreamOptions, type StreamEvent } from './stream-session.js';
export { streamListEntries, killStream, type StreamListEntry } from './stream-manage.js';
