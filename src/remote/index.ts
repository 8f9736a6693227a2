/** The remote layer: what runs on the server, and how its answers are read. */
export { shQuote, shJoin } from './quote.js';
export {
  SHIM_SCRIPT,
  attachCommand,
  listCommand,
  killCommand,
  probeCommand,
  carriedEnv,
  type AttachCommandOptions,
  type ShimRunOptions,
} from './shim.js';
export { ReportFilter, parseReportOutput, MAX_FRAME_BYTES, type FilterResult } from './report-filter.js';
export { decodeReport, REPORT_PREFIX } from './report-codec.js';
export * from './types.js';
