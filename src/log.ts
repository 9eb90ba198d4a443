import * as core from '@actions/core';

/**
 * One logger for the action and the CLI: workflow commands (groups, annotations, masking) on a
 * runner, plain lines on stderr elsewhere, so a CLI's stdout carries only its result.
 */
const onRunner = (): boolean => process.env.GITHUB_ACTIONS === 'true';
let groupDepth = 0;
const plain = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export interface Annotation {
  file?: string;
  startLine?: number;
  startColumn?: number;
  title?: string;
}

function where(props?: Annotation): string {
  if (!props?.file) return '';
  return `${props.file}${props.startLine ? `:${props.startLine}` : ''}${props.startColumn ? `:${props.startColumn}` : ''}: `;
}

export const log = {
  info(message: string): void {
    if (onRunner()) core.info(message);
    else plain(message);
  },
  debug(message: string): void {
    if (onRunner()) core.debug(message);
    else if (process.env.LSR_DEBUG) plain(`debug: ${message}`);
  },
  warning(message: string, props?: Annotation): void {
    if (onRunner()) core.warning(message, props);
    else plain(`warning: ${where(props)}${message}`);
  },
  error(message: string, props?: Annotation): void {
    if (onRunner()) core.error(message, props);
    else plain(`error: ${where(props)}${message}`);
  },
  /** Masks a secret in every later log line on a runner; a no-op elsewhere, where nothing records logs. */
  setSecret(secret: string): void {
    if (secret && onRunner()) core.setSecret(secret);
  },
  /** A collapsible group on a runner; runners cannot nest groups, so an inner one is a heading line. */
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (!onRunner() || groupDepth > 0) {
      log.info(`== ${name}`);
    } else {
      core.startGroup(name);
    }
    groupDepth++;
    try {
      return await fn();
    } finally {
      groupDepth--;
      if (onRunner() && groupDepth === 0) core.endGroup();
    }
  },
};
