import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/** Structured JSON logs; level from POWERTOOLS_LOG_LEVEL (set per stage in serverless.yml). */
export const logger = new Logger({ serviceName: 'spotify-etl-pipeline' });

/** Logs a failed step once, by error name, so CloudWatch Insights can count failures per kind. */
const logFailure = (): MiddlewareObj => ({
  onError: (request) => {
    const { error } = request;
    if (error) logger.error('Step failed', { errorName: error.name, errorMessage: error.message });
  },
});

export type StepHandler<TResult> = (event: unknown, context: Context) => Promise<TResult>;

/** The middy chain every step shares: Lambda context in the logs, then failure logging. */
export function wrapStep<TResult>(step: StepHandler<TResult>) {
  return middy<unknown, TResult>(step)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logFailure());
}
