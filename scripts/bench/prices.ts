/**
 * AWS list prices, us-east-1, arm64, on-demand, as published in 2025 (USD). Free tiers are not
 * applied in the model; where an always-free tier covers a line, the table says so.
 */
export const PRICES = {
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerGbSecondArm: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
  s3PerClassARequest: 0.005 / 1000, // PUT, COPY, POST, LIST
  s3PerClassBRequest: 0.0004 / 1000, // GET, HEAD
  s3PerGbMonth: 0.023,
  logsPerGbIngested: 0.5,
  xrayPerTrace: 5 / 1_000_000,
  alarmPerMetricMonth: 0.1,
  bastionInstanceMonth: 0.0042 * 730, // t4g.nano
  bastionDiskMonth: 0.08 * 8, // 8 GB gp3
  publicIpv4Month: 0.005 * 730,
} as const;

export const RUNS_PER_MONTH = 30.4;
