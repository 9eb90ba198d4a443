/** Lambda's limit on a function's unzipped code plus layers. */
export const UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024;
/** Lambda's limit on a zip uploaded directly (larger ones go through S3). */
export const DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;
