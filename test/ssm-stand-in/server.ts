import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * A loopback stand-in for the two SSM Parameter Store actions the pipeline uses (GetParameter,
 * PutParameter), speaking the AWS JSON 1.1 protocol so the real @aws-sdk/client-ssm talks to it
 * (point it here with AWS_ENDPOINT_URL_SSM).
 */
export interface SsmStandIn {
  readonly url: string;
  readonly parameters: Map<string, { value: string; type: string; version: number }>;
  readonly calls: string[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function reply(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}

export async function startSsmStandIn(initial: Record<string, string> = {}): Promise<SsmStandIn> {
  const parameters = new Map(
    Object.entries(initial).map(([name, value]) => [name, { value, type: 'SecureString', version: 1 }]),
  );
  const calls: string[] = [];

  const server = createServer((request, response) => {
    void (async () => {
      const action = String(request.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
      const body = await readJson(request);
      const name = typeof body.Name === 'string' ? body.Name : '';
      calls.push(`${action} ${name}`);
      if (action === 'GetParameter') {
        const parameter = parameters.get(name);
        if (!parameter)
          return reply(response, 400, {
            __type: 'ParameterNotFound',
            message: `Parameter ${name} not found.`,
          });
        return reply(response, 200, {
          Parameter: { Name: name, Type: parameter.type, Value: parameter.value, Version: parameter.version },
        });
      }
      if (action === 'PutParameter') {
        const existing = parameters.get(name);
        if (existing && body.Overwrite !== true) {
          return reply(response, 400, {
            __type: 'ParameterAlreadyExists',
            message: `Parameter ${name} exists.`,
          });
        }
        const version = (existing?.version ?? 0) + 1;
        const value = typeof body.Value === 'string' ? body.Value : '';
        const type = typeof body.Type === 'string' ? body.Type : 'String';
        parameters.set(name, { value, type, version });
        return reply(response, 200, { Version: version, Tier: 'Standard' });
      }
      return reply(response, 400, { __type: 'InvalidAction', message: `Unsupported action ${action}` });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    parameters,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
