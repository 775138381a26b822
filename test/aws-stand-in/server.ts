import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS API call the stand-in received: the service's action and its parameters. */
export interface AwsCall {
  readonly action: string;
  readonly params: Record<string, unknown>;
}

export interface AwsStandIn {
  readonly url: string;
  readonly calls: AwsCall[];
  close(): Promise<void>;
}

export interface DeployedStack {
  readonly stackName: string;
  readonly outputs: Record<string, string>;
  /** What DescribeExecution reports for every execution. */
  readonly executionStatus: 'SUCCEEDED' | 'FAILED';
}

const xmlEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function describeStacksXml(stack: DeployedStack): string {
  const outputs = Object.entries(stack.outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${xmlEscape(key)}</OutputKey><OutputValue>${xmlEscape(value)}</OutputValue></member>`,
    )
    .join('');
  return (
    '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks>' +
    `<member><StackName>${xmlEscape(stack.stackName)}</StackName><StackStatus>UPDATE_COMPLETE</StackStatus>` +
    `<CreationTime>2026-11-01T00:00:00Z</CreationTime><Outputs>${outputs}</Outputs></member>` +
    '</Stacks></DescribeStacksResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></DescribeStacksResponse>'
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

/**
 * The two AWS APIs `sls invoke stepf` calls, on loopback: CloudFormation's DescribeStacks (query
 * protocol, XML) and Step Functions' StartExecution/DescribeExecution (JSON 1.0). Point the SDK at
 * it with AWS_ENDPOINT_URL_CLOUDFORMATION and AWS_ENDPOINT_URL_SFN.
 */
export async function startAwsStandIn(stack: DeployedStack): Promise<AwsStandIn> {
  const calls: AwsCall[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string') {
        const action = target.replace(/^AWSStepFunctions\./, '');
        const parsed: unknown = JSON.parse(body || '{}');
        const params = typeof parsed === 'object' && parsed !== null ? { ...parsed } : {};
        calls.push({ action, params });
        const executionArn = `arn:aws:states:us-east-1:123456789012:execution:${stack.stackName}:local`;
        const answer =
          action === 'StartExecution'
            ? { executionArn, startDate: 1_764_547_200 }
            : {
                executionArn,
                stateMachineArn: 'stateMachineArn' in params ? params.stateMachineArn : '',
                status: stack.executionStatus,
                startDate: 1_764_547_200,
                ...(stack.executionStatus === 'SUCCEEDED' ? { output: '{}' } : {}),
              };
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        response.end(JSON.stringify(answer));
        return;
      }
      const params = Object.fromEntries(new URLSearchParams(body));
      calls.push({ action: params.Action ?? 'unknown', params });
      if (params.Action === 'DescribeStacks' && params.StackName === stack.stackName) {
        response.setHeader('content-type', 'text/xml');
        response.end(describeStacksXml(stack));
        return;
      }
      response.statusCode = 400;
      response.setHeader('content-type', 'text/xml');
      response.end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>' +
          `<Message>Stack with id ${xmlEscape(params.StackName ?? '')} does not exist</Message></Error></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
