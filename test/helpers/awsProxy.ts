import * as http from "http";
import * as net from "net";

/**
 * A local HTTP proxy in front of an AWS API server (moto) that records the action of every
 * request (`ecr:DescribeRepositories`, `iam:ListRoles`) and answers AccessDenied, as AWS does,
 * for the actions in `deny`: what a caller with a policy lacking them would see.
 */
export interface AwsProxy {
  readonly endpoint: string;
  /** Every action requested, in order. */
  readonly actions: string[];
  /** Actions answered with AccessDenied instead of being forwarded. */
  readonly deny: Set<string>;
  /**
   * Requests answered with AccessDenied for what they ask (an `sts:AssumeRole` of one role, say):
   * each is given the action and the request's form parameters, and returns the error's message
   * for a request it refuses, undefined for the others.
   */
  readonly denyWhen: ((action: string, form: URLSearchParams) => string | undefined)[];
  stop(): Promise<void>;
}

/** The service a SigV4-signed request is for: the credential scope's fourth part. */
function serviceOf(request: http.IncomingMessage): string {
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(
    String(request.headers.authorization ?? ""),
  );
  return scope?.[1] ?? "unknown";
}

/** The operation: `X-Amz-Target` (JSON protocols) or the form's `Action` (query protocol). */
function operationOf(request: http.IncomingMessage, body: string): string {
  const target = request.headers["x-amz-target"];
  if (typeof target === "string") {
    return target.slice(target.lastIndexOf(".") + 1);
  }
  return new URLSearchParams(body).get("Action") ?? "unknown";
}

function accessDenied(
  response: http.ServerResponse,
  service: string,
  action: string,
  message = `User: arn:aws:sts::123456789012:assumed-role/audit/ci is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
): void {
  if (service === "ecr") {
    response.writeHead(400, {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-errortype": "AccessDeniedException",
      "x-amzn-requestid": "denied-by-test-proxy",
    });
    response.end(JSON.stringify({ __type: "AccessDeniedException", message }));
    return;
  }
  response.writeHead(403, { "content-type": "text/xml", "x-amzn-requestid": "denied" });
  response.end(
    `<ErrorResponse xmlns="https://${service}.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${message}</Message></Error><RequestId>denied-by-test-proxy</RequestId></ErrorResponse>`,
  );
}

export async function startAwsProxy(target: string): Promise<AwsProxy> {
  const upstream = new URL(target);
  const actions: string[] = [];
  const deny = new Set<string>();
  const denyWhen: AwsProxy["denyWhen"] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const service = serviceOf(request);
      const text = body.toString("utf8");
      const action = `${service}:${operationOf(request, text)}`;
      actions.push(action);
      const form = new URLSearchParams(text);
      const refusal = denyWhen.map((refuses) => refuses(action, form)).find((m) => m !== undefined);
      if (deny.has(action) || refusal !== undefined) {
        accessDenied(response, service, action, refusal);
        return;
      }
      const forwarded = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on("error", (e) => {
        response.writeHead(502);
        response.end(String(e));
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    actions,
    deny,
    denyWhen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
