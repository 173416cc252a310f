// Tag parsing and AWS's tag rules, checked before CreateCluster is ever called.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli/errors.js';
import { checkTags, creationTags, matchesTags, parseTagFilters, parseTagFlags, TAG_LIMITS } from '../../scripts/lib/aws/tags.js';

const usageMessage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('parseTagFlags', () => {
  it('splits --tags at commas and each pair at the first =, keeping = in values', () => {
    expect(parseTagFlags(['env=dev,expr=a=b'], [])).toEqual([
      ['env', 'dev'],
      ['expr', 'a=b'],
    ]);
  });

  it('takes each --tag whole, after the --tags pairs', () => {
    expect(parseTagFlags(['a=1'], ['note=x, y', 'b='])).toEqual([
      ['a', '1'],
      ['note', 'x, y'],
      ['b', ''],
    ]);
  });

  it('refuses an entry without = and an empty entry, naming the flag', () => {
    expect(usageMessage(() => parseTagFlags(['env'], []))).toContain('--tags needs KEY=VALUE');
    expect(usageMessage(() => parseTagFlags(['a=1,,b=2'], []))).toContain('empty entry');
    expect(usageMessage(() => parseTagFlags([], ['novalue']))).toContain('--tag needs KEY=VALUE');
  });
});

describe('checkTags', () => {
  it('builds the map and allows empty values', () => {
    expect(checkTags([['Name', 'my db'], ['empty', '']])).toEqual({ Name: 'my db', empty: '' });
  });

  it('enforces the AWS limits', () => {
    const many = Array.from({ length: TAG_LIMITS.count + 1 }, (_, i) => [`k${i}`, 'v'] as [string, string]);
    expect(usageMessage(() => checkTags(many))).toContain(`at most ${TAG_LIMITS.count}`);
    expect(checkTags(many.slice(0, TAG_LIMITS.count))).toHaveProperty('k49', 'v');
    expect(usageMessage(() => checkTags([['k'.repeat(129), 'v']]))).toContain('longer than 128');
    expect(checkTags([['k'.repeat(128), 'v'.repeat(256)]])).toHaveProperty('k'.repeat(128));
    expect(usageMessage(() => checkTags([['k', 'v'.repeat(257)]]))).toContain('longer than 256');
    expect(usageMessage(() => checkTags([['AWS:owner', 'x']]))).toContain('aws: prefix');
    expect(usageMessage(() => checkTags([['', 'x']]))).toContain('empty');
    expect(usageMessage(() => checkTags([['a', '1'], ['a', '2']]))).toContain('more than once');
    expect(usageMessage(() => checkTags([['k', 'a,b']]))).toContain('character AWS does not allow');
    expect(usageMessage(() => checkTags([['k;', 'v']]))).toContain('character AWS does not allow');
  });
});

describe('creationTags', () => {
  it('puts created_by first and requires a well-formed --created-by', () => {
    expect(Object.entries(creationTags('claude-code.v4_1', ['env=dev'], []))).toEqual([
      ['created_by', 'claude-code.v4_1'],
      ['env', 'dev'],
    ]);
    expect(usageMessage(() => creationTags(undefined, [], []))).toContain('--created-by is required');
    expect(usageMessage(() => creationTags('has space', [], []))).toContain('--created-by must be');
    expect(usageMessage(() => creationTags('x'.repeat(129), [], []))).toContain('--created-by must be');
  });

  it('refuses a created_by tag given by hand', () => {
    expect(usageMessage(() => creationTags('me', ['created_by=someone'], []))).toContain('set by --created-by');
  });

  it('counts created_by against the 50-tag limit', () => {
    const tags = Array.from({ length: 50 }, (_, i) => `k${i}=v`);
    expect(usageMessage(() => creationTags('me', [], tags))).toContain('51 tags');
  });
});

describe('tag filters', () => {
  it('matches KEY=VALUE exactly and KEY alone on presence; all filters must match', () => {
    const filters = parseTagFilters(['env=dev', 'owner']);
    expect(filters).toEqual([{ key: 'env', value: 'dev' }, { key: 'owner' }]);
    expect(matchesTags({ env: 'dev', owner: '' }, filters)).toBe(true);
    expect(matchesTags({ env: 'dev' }, filters)).toBe(false);
    expect(matchesTags({ env: 'prod', owner: 'x' }, filters)).toBe(false);
    expect(matchesTags({ anything: 'x' }, [])).toBe(true);
    expect(matchesTags({ expr: 'a=b' }, parseTagFilters(['expr=a=b']))).toBe(true);
  });

  it('refuses an empty key', () => {
    expect(usageMessage(() => parseTagFilters(['=x']))).toContain('--tag needs KEY');
  });
});
