import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsErrorCode, namedError, OWN_ERROR_CODES } from '../src/errors.js';

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

describe("the bot's own error codes", () => {
  it('name an error as AWS names its exceptions, with a cause and fields when given', () => {
    const cause = new Error('underneath');
    const error = namedError('PartialRemediation', 'one of two keys done', { cause, partialState: { done: 1 } });
    expect(awsErrorCode(error)).toBe('PartialRemediation');
    expect(error.message).toBe('one of two keys done');
    expect(error.cause).toBe(cause);
    expect(error).toMatchObject({ partialState: { done: 1 } });
    expect(awsErrorCode(namedError('PaginationLoop', 'again'))).toBe('PaginationLoop');
  });

  it('are made only through namedError, so each is one of the listed codes', async () => {
    const handMade: string[] = [];
    for (const file of [...(await sources('src')), ...(await sources('checks'))]) {
      if (file === path.join('src', 'errors.ts')) continue;
      const text = await readFile(file, 'utf8');
      if (/Object\.assign\(\s*new Error\(/.test(text)) handMade.push(file);
    }
    expect(handMade).toEqual([]);
    for (const [code, what] of Object.entries(OWN_ERROR_CODES)) {
      expect(code).toMatch(/^([A-Z][A-Za-z]+|E[A-Z]+)$/);
      expect(what.length, code).toBeGreaterThan(20);
    }
  });
});
