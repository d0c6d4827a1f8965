import { describe, expect, it } from 'vitest';
import {
  allowsFullAdmin,
  decodePolicyText,
  defaultVersionDocument,
  fullAdminStatements,
  grantsFullAdmin,
  isAwsSupportAccess,
  isCompromisedKeyQuarantine,
  MalformedPolicyError,
  parsePolicyDocument,
} from '../../src/aws/iam-policy.js';
import { awsErrorCode } from '../../src/errors.js';
import { ADMIN_DOCUMENT, awsManaged, customerManaged, encodePolicy, managedPolicy, READ_ONLY_DOCUMENT } from '../helpers/iam-fixtures.js';

function doc(...statements: object[]) {
  return { Version: '2012-10-17', Statement: statements };
}

describe('parsePolicyDocument', () => {
  it('decodes a URL-encoded document as GetAccountAuthorizationDetails returns it', () => {
    const encoded = encodePolicy(ADMIN_DOCUMENT);
    expect(encoded).toMatch(/^%7B%22Version%22/);
    expect(encoded).toContain('%2A');
    expect(parsePolicyDocument(encoded, 'managed policy AdminAll')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: ['*'], Resource: ['*'] }],
    });
  });

  it('decodes an encoded document whose strings hold escapes, pluses and percent signs', () => {
    const document = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a+b/100%/é "quoted"' });
    expect(parsePolicyDocument(encodePolicy(document), 'p').Statement[0]!.Resource).toEqual(['arn:aws:s3:::a+b/100%/é "quoted"']);
  });

  it('accepts a plain JSON document, even with leading whitespace and a % inside', () => {
    const text = `\n  ${JSON.stringify(doc({ Effect: 'Deny', Action: 'iam:*', Resource: 'arn:aws:iam::*:user/100%' }))}`;
    expect(parsePolicyDocument(text, 'p').Statement).toEqual([{ Effect: 'Deny', Action: ['iam:*'], Resource: ['arn:aws:iam::*:user/100%'] }]);
  });

  it('turns a single statement object into a list', () => {
    const parsed = parsePolicyDocument(encodePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' } }), 'p');
    expect(parsed.Statement).toEqual([{ Effect: 'Allow', Action: ['ec2:Describe*'], Resource: ['*'] }]);
  });

  it('keeps arrays of actions and resources, NotAction, NotResource and conditions', () => {
    const parsed = parsePolicyDocument(
      encodePolicy(
        doc(
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'] },
          {
            Effect: 'Deny',
            NotAction: 'iam:*',
            NotResource: ['arn:aws:iam::123456789012:role/x'],
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
        ),
      ),
      'p',
    );
    expect(parsed.Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'] },
      {
        Effect: 'Deny',
        NotAction: ['iam:*'],
        NotResource: ['arn:aws:iam::123456789012:role/x'],
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
      },
    ]);
  });

  describe('malformed documents throw, naming the policy', () => {
    const cases: [string, string | undefined, RegExp][] = [
      ['no document at all', undefined, /no document/],
      ['an empty document', '', /no document/],
      ['truncated JSON', '{"Version":"2012-10-17","Statement":[', /neither JSON nor URL-encoded JSON/],
      ['a broken percent escape', '%7B%22Version%ZZ', /neither JSON nor URL-encoded JSON/],
      ['encoded garbage', encodePolicy('not json'), /neither JSON nor URL-encoded JSON/],
      ['a JSON list', encodePolicy('[]'), /not a JSON object/],
      ['no Statement', encodePolicy({ Version: '2012-10-17' }), /no Statement/],
      ['a statement that is a string', encodePolicy(doc('Allow everything' as unknown as object)), /statement 1 is not an object/],
      ['an unknown Effect', encodePolicy(doc({ Effect: 'allow', Action: '*', Resource: '*' })), /statement 1 has Effect "allow"/],
      ['a missing Effect', encodePolicy(doc({ Action: '*', Resource: '*' })), /statement 1 has Effect undefined/],
      ['an Action that is a number', encodePolicy(doc({ Effect: 'Allow', Action: 42, Resource: '*' })), /Action of statement 1/],
      [
        'a Resource list with an object',
        encodePolicy(doc(READ_ONLY_DOCUMENT.Statement[0]!, { Effect: 'Allow', Action: '*', Resource: ['*', {}] })),
        /Resource of statement 2/,
      ],
    ];
    it.each(cases)('%s', (_what, text, reason) => {
      let thrown: unknown;
      try {
        parsePolicyDocument(text, 'inline policy ops of role deployer');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MalformedPolicyError);
      expect((thrown as Error).message).toMatch(/^the document of inline policy ops of role deployer is malformed: /);
      expect((thrown as Error).message).toMatch(reason);
      // The runner turns it into an error entry with this code, never a pass.
      expect(awsErrorCode(thrown)).toBe('MalformedPolicyDocument');
    });
  });
});

describe('decodePolicyText', () => {
  it('leaves plain JSON as it is and decodes the rest', () => {
    expect(decodePolicyText('{"a":"%41"}')).toBe('{"a":"%41"}');
    expect(decodePolicyText('%7B%22a%22%3A1%7D')).toBe('{"a":1}');
  });
});

describe('allows * on *', () => {
  const allow = (statement: object) => allowsFullAdmin(parsePolicyDocument(encodePolicy(doc(statement)), 'p'));

  it('matches Action "*" or "*:*", as a string or inside a list, with Resource "*" as a string or inside a list', () => {
    expect(allow({ Effect: 'Allow', Action: '*', Resource: '*' })).toBe(true);
    expect(allow({ Effect: 'Allow', Action: '*:*', Resource: '*' })).toBe(true);
    expect(allow({ Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: '*' })).toBe(true);
    expect(allow({ Effect: 'Allow', Action: '*', Resource: ['arn:aws:s3:::x', '*'] })).toBe(true);
  });

  it('does not match Deny statements', () => {
    expect(allow({ Effect: 'Deny', Action: '*', Resource: '*' })).toBe(false);
  });

  it('does not count NotAction or NotResource as "*"', () => {
    expect(allow({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })).toBe(false);
    expect(allow({ Effect: 'Allow', NotAction: '*', Resource: '*' })).toBe(false);
    expect(allow({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:iam::123456789012:role/x' })).toBe(false);
  });

  it('does not match service wildcards or narrower resources', () => {
    expect(allow({ Effect: 'Allow', Action: 's3:*', Resource: '*' })).toBe(false);
    expect(allow({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::*' })).toBe(false);
    expect(allow({ Effect: 'Allow', Action: 'iam:*', Resource: ['*'] })).toBe(false);
  });

  it('finds the offending statements among several', () => {
    const parsed = parsePolicyDocument(
      encodePolicy(doc(READ_ONLY_DOCUMENT.Statement[0]!, { Sid: 'Oops', Effect: 'Allow', Action: ['*'], Resource: '*' })),
      'p',
    );
    expect(fullAdminStatements(parsed)).toEqual([{ Sid: 'Oops', Effect: 'Allow', Action: ['*'], Resource: ['*'] }]);
    expect(grantsFullAdmin(parsed.Statement[0]!)).toBe(false);
  });
});

describe('defaultVersionDocument', () => {
  it('picks the default version among several', () => {
    const policy = managedPolicy('Ops', READ_ONLY_DOCUMENT, { olderVersions: [ADMIN_DOCUMENT] });
    expect(parsePolicyDocument(defaultVersionDocument(policy), 'p')).toEqual(parsePolicyDocument(JSON.stringify(READ_ONLY_DOCUMENT), 'p'));
  });

  it('falls back to DefaultVersionId when no version is flagged', () => {
    const policy = managedPolicy('Ops', ADMIN_DOCUMENT, { olderVersions: [READ_ONLY_DOCUMENT] });
    for (const v of policy.PolicyVersionList!) delete v.IsDefaultVersion;
    expect(allowsFullAdmin(parsePolicyDocument(defaultVersionDocument(policy), 'p'))).toBe(true);
  });

  it('throws when the default version is not listed', () => {
    const policy = { ...managedPolicy('Ops', ADMIN_DOCUMENT), PolicyVersionList: [] };
    expect(() => defaultVersionDocument(policy)).toThrow(
      /managed policy arn:aws:iam::123456789012:policy\/Ops is malformed: AWS listed no document for its default version v1/,
    );
  });
});

describe('AWS-managed policy recognition', () => {
  it('recognises the quarantine policies AWS owns, not look-alikes', () => {
    expect(isCompromisedKeyQuarantine(awsManaged('AWSCompromisedKeyQuarantine'))).toBe(true);
    expect(isCompromisedKeyQuarantine(awsManaged('AWSCompromisedKeyQuarantineV3'))).toBe(true);
    expect(isCompromisedKeyQuarantine(awsManaged('AWSCompromisedKeyQuarantineV2', 'aws-cn'))).toBe(true);
    expect(isCompromisedKeyQuarantine(customerManaged('AWSCompromisedKeyQuarantine'))).toBe(false);
    expect(isCompromisedKeyQuarantine(awsManaged('ReadOnlyAccess'))).toBe(false);
  });

  it('recognises AWSSupportAccess in every partition by ARN', () => {
    expect(isAwsSupportAccess(awsManaged('AWSSupportAccess'))).toBe(true);
    expect(isAwsSupportAccess(awsManaged('AWSSupportAccess', 'aws-us-gov'))).toBe(true);
    expect(isAwsSupportAccess(customerManaged('AWSSupportAccess'))).toBe(false);
    expect(isAwsSupportAccess(awsManaged('AWSSupportServiceRolePolicy'))).toBe(false);
  });
});
