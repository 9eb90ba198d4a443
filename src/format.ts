/** A size as people read it in logs and summaries: "12.3 MiB". */
export const formatMiB = (bytes: number, decimals = 1): string =>
  `${(bytes / 1024 / 1024).toFixed(decimals)} MiB`;
