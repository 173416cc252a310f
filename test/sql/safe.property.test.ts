// Property-based proof that validators either refuse a value or emit exactly that value,
// checked by the real PostgreSQL parser (see test/support/safe-properties.ts).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../scripts/lib/sql/parser.js';
import { keywordRoundTrip, makeProperties, type Tally } from '../support/safe-properties.js';

const RUNS = 10_000;

beforeAll(loadParser);

describe('safe builder properties (10,000 runs each)', () => {
  const tally: Tally = {};
  for (const [name, property] of Object.entries(makeProperties(tally)) as [string, fc.IRawProperty<unknown[]>][]) {
    it(`${name}: refuses or round-trips exactly`, () => {
      fc.assert(property, { numRuns: RUNS });
      // Not vacuous: the generators reach both outcomes often.
      expect(tally[name]!.accepted).toBeGreaterThan(RUNS / 20);
      expect(tally[name]!.refused).toBeGreaterThan(RUNS / 20);
    });
  }

  it('keyword: a sort direction parses as that direction', () => {
    expect(keywordRoundTrip('ASC')).toBe('SORTBY_ASC');
    expect(keywordRoundTrip('DESC')).toBe('SORTBY_DESC');
  });
});
