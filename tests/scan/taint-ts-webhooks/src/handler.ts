import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as vm from 'node:vm';
import { unserialize } from 'node-serialize';
import { notify } from './lib/notify';
import { renderRule } from './lib/rules';

interface Hook {
  callback: string;
  rule: string;
  session: string;
}

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
  const hook: Hook = JSON.parse(event.body ?? '{}');
  const session = unserialize(Buffer.from(hook.session, 'base64').toString());
  const verdict = vm.runInNewContext(renderRule(hook.rule), { session });
  await notify(hook.callback, { verdict });
  await notify('https://hooks.example.com/audit', { verdict });
  return { statusCode: 202, body: JSON.stringify({ verdict }) };
};
