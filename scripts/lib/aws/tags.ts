// Cluster tags from the command line, checked against AWS's tag rules before any call goes
// out, so a bad tag costs one clear line instead of a half-made cluster.
import { UsageError } from '../cli/errors.js';

export type Tags = Record<string, string>;

/** AWS limits for DSQL tags (API reference, TagResource; "Tagging resources in Aurora DSQL"). */
export const TAG_LIMITS = { count: 50, keyLength: 128, valueLength: 256 } as const;
/** Characters DSQL accepts in tag keys and values. */
const TAG_TEXT = /^[a-zA-Z0-9_.:/=+\-@ ]*$/;

/** Who made the cluster: required on create; an agent says which model it is. */
export const CREATED_BY = /^[A-Za-z0-9._-]{1,128}$/;
export const CREATED_BY_TAG = 'created_by';

/** KEY=VALUE split at the first '=' (values may contain '='). */
function pair(flag: string, raw: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq < 0) throw new UsageError(`${flag} needs KEY=VALUE, got ${JSON.stringify(raw)}`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

/**
 * Tags from `--tags K=V,K2=V2` (comma-separated, so values cannot hold commas) and repeated
 * `--tag K=V` (one pair each, so values may hold commas), in that order.
 */
export function parseTagFlags(tagsFlags: readonly string[], tagFlags: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const list of tagsFlags) {
    for (const item of list.split(',')) {
      if (item.trim() === '') throw new UsageError(`--tags has an empty entry in ${JSON.stringify(list)} (use --tag K=V for values with commas)`);
      pairs.push(pair('--tags', item));
    }
  }
  for (const item of tagFlags) pairs.push(pair('--tag', item));
  return pairs;
}

/** Checks AWS's rules (count, lengths, characters, no aws: prefix, unique keys) and builds the map. */
export function checkTags(pairs: readonly (readonly [string, string])[]): Tags {
  const tags: Tags = {};
  for (const [key, value] of pairs) {
    if (key.length === 0) throw new UsageError('a tag key is empty (use KEY=VALUE)');
    if (key.length > TAG_LIMITS.keyLength) throw new UsageError(`tag key ${JSON.stringify(key.slice(0, 20) + '...')} is longer than ${TAG_LIMITS.keyLength} characters`);
    if (value.length > TAG_LIMITS.valueLength) throw new UsageError(`the value of tag ${key} is longer than ${TAG_LIMITS.valueLength} characters`);
    if (key.toLowerCase().startsWith('aws:')) throw new UsageError(`tag key ${key} uses the reserved aws: prefix`);
    if (!TAG_TEXT.test(key)) throw new UsageError(`tag key ${JSON.stringify(key)} has a character AWS does not allow (letters, digits, spaces and _ . : / = + - @)`);
    if (!TAG_TEXT.test(value)) throw new UsageError(`the value of tag ${key} has a character AWS does not allow (letters, digits, spaces and _ . : / = + - @)`);
    if (Object.hasOwn(tags, key)) throw new UsageError(`tag ${key} is given more than once`);
    tags[key] = value;
  }
  const count = Object.keys(tags).length;
  if (count > TAG_LIMITS.count) throw new UsageError(`${count} tags given; AWS allows at most ${TAG_LIMITS.count} per cluster`);
  return tags;
}

/** The tags for a new cluster: created_by=<id> first, then the user's. */
export function creationTags(createdBy: string | undefined, tagsFlags: readonly string[], tagFlags: readonly string[]): Tags {
  if (createdBy === undefined) throw new UsageError('--created-by is required: say who makes this cluster (e.g. --created-by claude-code)');
  if (!CREATED_BY.test(createdBy)) {
    throw new UsageError(`--created-by must be 1-128 letters, digits, '.', '_' or '-'; got ${JSON.stringify(createdBy)}`);
  }
  const pairs = parseTagFlags(tagsFlags, tagFlags);
  if (pairs.some(([k]) => k === CREATED_BY_TAG)) throw new UsageError(`tag ${CREATED_BY_TAG} is set by --created-by; do not pass it as a tag`);
  return checkTags([[CREATED_BY_TAG, createdBy], ...pairs]);
}

/** A tag filter: KEY=VALUE matches that value exactly; KEY alone matches any value. */
export interface TagFilter {
  key: string;
  value?: string;
}

export function parseTagFilters(raws: readonly string[]): TagFilter[] {
  return raws.map((raw) => {
    const eq = raw.indexOf('=');
    const filter: TagFilter = eq < 0 ? { key: raw } : { key: raw.slice(0, eq), value: raw.slice(eq + 1) };
    if (!filter.key) throw new UsageError(`--tag needs KEY or KEY=VALUE, got ${JSON.stringify(raw)}`);
    return filter;
  });
}

export function matchesTags(tags: Tags, filters: readonly TagFilter[]): boolean {
  return filters.every((f) => Object.hasOwn(tags, f.key) && (f.value === undefined || tags[f.key] === f.value));
}
