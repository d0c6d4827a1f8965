interface Sends {
  send(command: never): Promise<unknown>;
}

/**
 * A client whose package loads at its first call: the bot starts without
 * the AWS SDK and loads what an audit, a role session or a fix needs when
 * one comes (most of its life it waits for Slack).
 */
export function lazyClient<C extends Sends>(load: () => Promise<C>): Pick<C, 'send'> {
  let client: Promise<C> | undefined;
  return {
    send: (async (command: never) => {
      client ??= load();
      return (await client).send(command);
    }) as C['send'],
  };
}
