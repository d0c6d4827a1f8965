import { describe, expect, it } from 'vitest';
import { wildcardMatch } from '../src/wildcard.js';

describe('wildcardMatch', () => {
  it.each([
    ['iam.*', 'iam.root-mfa', true],
    ['iam.*', 'ec2.imdsv2', false],
    ['iam.*', 'iamx.root', false],
    ['*mfa', 'iam.user-console-mfa', true],
    ['iam.root-mf?', 'iam.root-mfa', true],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['arn:aws:s3:::logs/*', 'arn:aws:s3:::logs/any-object', true],
    ['arn:aws:s3:::logs*', 'arn:aws:s3:::logs/any-object', true],
    ['arn:aws:s3:::logs', 'arn:aws:s3:::logs/any-object', false],
    ['arn:*:s3:::*/*', 'arn:aws:s3:::b/o', true],
    ['*a*b', 'xaxxb', true],
    ['*a*b', 'xaxxbc', false],
    ['a*b*c', 'abbbc', true],
    ['.+', 'ab', false],
    ['(a|b)', '(a|b)', true],
  ])('%s matches %s: %s', (pattern, text, expected) => {
    expect(wildcardMatch(pattern, text)).toBe(expected);
  });

  it('stays linear on patterns that make a regular expression backtrack for minutes', () => {
    const pattern = `arn:aws:s3:::logs/${'*'.repeat(5_000)}X`;
    const text = `arn:aws:s3:::logs/${'a'.repeat(5_000)}`;
    // A backtracking matcher would not return here in any reasonable time; the result itself is what is asserted.
    expect(wildcardMatch(pattern, text)).toBe(false);
    expect(wildcardMatch(`${'a*'.repeat(2_000)}b`, 'a'.repeat(4_000))).toBe(false);
  });
});
