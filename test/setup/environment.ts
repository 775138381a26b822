// Handlers log structured JSON through Powertools; keep test output readable unless asked for.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
