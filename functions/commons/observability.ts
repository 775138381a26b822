import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { safeDetail } from './redact';

/** Structured JSON logs; level from POWERTOOLS_LOG_LEVEL (set per stage in serverless.yml). */
export const logger = new Logger({ serviceName: 'spotify-etl-pipeline' });

/**
 * CloudWatch metrics as Embedded Metric Format log lines: no API calls, no extra latency. Their
 * own warnings go through the structured logger, at its level.
 */
export const metrics = new Metrics({
  namespace: 'SpotifyEtlPipeline',
  serviceName: 'spotify-etl-pipeline',
  logger,
});

export function countMetric(name: string, value: number): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/**
 * Logs a failed step once, by error name, so CloudWatch Insights can count failures per kind, and
 * counts it as a metric (a failed step has none of its own, and metrics warn when a flush is empty).
 */
const logFailure = (): MiddlewareObj => ({
  onError: (request) => {
    const { error } = request;
    if (!error) return;
    // Messages are built redacted; this is the last guard before a log line (Bearer/Basic values,
    // URL passwords, token-like strings), and keeps one odd message from flooding the logs.
    logger.error('Step failed', { errorName: error.name, errorMessage: safeDetail(error.message, [], 2000) });
    metrics.addMetadata('errorName', error.name);
    countMetric('StepFailed', 1);
  },
});

export type StepHandler<TResult> = (event: unknown, context: Context) => Promise<TResult>;

/** The middy chain every step shares: Lambda context in the logs, metrics flushed, failures logged. */
export function wrapStep<TResult>(step: StepHandler<TResult>) {
  return middy<unknown, TResult>(step)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(logFailure());
}
