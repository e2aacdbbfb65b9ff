const PREFIX = 'const result = ';

export function renderRule(rule: string): string {
  return PREFIX + rule + ';';
}

export function constantRule(): string {
  return new Function('return ' + '1 + 1')();
}
