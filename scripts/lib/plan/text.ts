// Parses the text form of EXPLAIN ANALYZE VERBOSE, as PostgreSQL and Aurora DSQL print it,
// into a tree of nodes and the footer (query identifier, timings, DSQL's DPU estimate).
//
// The text form is what the user sees and what DSQL documents, and reading it needs no second
// execution of the query (FORMAT JSON would). The parser is lenient: a line it does not
// recognise is kept as a detail of the node above it, never dropped and never an error.

export interface PlanEstimate {
  startupCost: number;
  totalCost: number;
  /** Rows per loop the planner expected. */
  rows: number;
  width: number;
}

export interface PlanActual {
  /** Milliseconds to the first and the last row, per loop (absent with TIMING OFF). */
  startMs?: number;
  endMs?: number;
  /** Rows per loop (PostgreSQL 18 prints two decimals). */
  rows: number;
  loops: number;
}

export interface PlanDetail {
  key: string;
  value: string;
}

export interface PlanNode {
  /** Pre-order position, 0 for the root. */
  id: number;
  /** The node type: `Nested Loop`, `Full Scan (btree-table)`, `Index Scan`, `Storage Lookup`, ... */
  name: string;
  /** The header as printed, without the cost and actual parentheses. */
  header: string;
  /** The relation a scan reads (`on <relation>`), as printed (may be schema-qualified). */
  relation?: string;
  /** The alias after the relation, when printed. */
  alias?: string;
  /** The index of `using <index>` or of DSQL's `Storage Scan on <index>` nodes. */
  index?: string;
  estimate?: PlanEstimate;
  /** Absent when the node never ran (`never executed`) or the plan has no ANALYZE data. */
  actual?: PlanActual;
  neverExecuted: boolean;
  /** `SubPlan 1`, `InitPlan 2`, `CTE name` when the node starts such a branch. */
  branch?: string;
  details: PlanDetail[];
  children: PlanNode[];
  /** 1-based line in the plan text. */
  line: number;
}

export interface DpuEstimate {
  compute?: string;
  read?: string;
  write?: string;
  multiRegionWrite?: string;
  total?: string;
}

export interface PlanFooter {
  /** Verbatim values as printed (the report copies them). */
  queryIdentifier?: string;
  planningTime?: string;
  executionTime?: string;
  planningMs?: number;
  executionMs?: number;
  dpu?: DpuEstimate;
  /** Any other footer lines, verbatim. */
  other: string[];
}

export interface ParsedPlan {
  text: string;
  root: PlanNode;
  /** Every node in pre-order. */
  nodes: PlanNode[];
  footer: PlanFooter;
}

export class PlanParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanParseError';
  }
}

const NUM = String.raw`-?\d+(?:\.\d+)?(?:e[+-]?\d+)?`;
const COST = new RegExp(String.raw`\(cost=(${NUM})\.\.(${NUM}) rows=(${NUM}) width=(\d+)\)`);
const ACTUAL = new RegExp(String.raw`\(actual (?:time=(${NUM})\.\.(${NUM}) )?rows=(${NUM}) loops=(\d+)\)`);
const NEVER = /\(never executed\)/;
const BRANCH = /^(SubPlan \d+|InitPlan \d+(?: \(returns [^)]*\))?|CTE \S+)\s*$/;

/** Footer keys that start at column 0 after the tree. */
const FOOTER_START = /^(Query Identifier|Planning Time|Planning|Execution Time|Statement DPU Estimate|Trigger|JIT|Serialization|Settings)\b/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Splits a node header into its type and the relation / index it names. */
function describeHeader(header: string): Pick<PlanNode, 'name' | 'relation' | 'alias' | 'index'> {
  let rest = header.trim();
  let index: string | undefined;
  let relation: string | undefined;
  let alias: string | undefined;
  // `Index Scan using idx on public.orders o`, `Index Scan Backward using ...`
  const using = /^(.*?) using (\S+)(?: on (\S+)(?: (\S+))?)?$/.exec(rest);
  if (using) {
    index = using[2];
    relation = using[3];
    alias = using[4];
    rest = using[1]!;
    return { name: rest, index, relation, alias };
  }
  // `Seq Scan on public.orders o`, `Full Scan (btree-table) on orders`, `Storage Scan on idx`
  const on = /^(.*?) on (\S+)(?: (\S+))?$/.exec(rest);
  if (on) {
    const name = on[1]!;
    // In DSQL's storage nodes the object scanned is an index (Storage/B-Tree Scan) or the table (Lookups).
    if (/^(Storage Scan|B-Tree Scan)$/.test(name)) return { name, index: on[2], relation: undefined, alias: on[3] };
    return { name, relation: on[2], alias: on[3] };
  }
  return { name: rest };
}

function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses a `<n> ms` value. */
function milliseconds(value: string): number | undefined {
  const m = /^(-?\d+(?:\.\d+)?) ms$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * Turns a header line into a node, or undefined when the line is not a node header.
 * `first` allows the root, which has no `->`.
 */
function headerNode(line: string, first: boolean): Omit<PlanNode, 'id' | 'children' | 'details' | 'line'> | undefined {
  let body = line.trim();
  const arrow = body.startsWith('->');
  if (!arrow && !first) return undefined;
  if (arrow) body = body.slice(2).trim();
  const cost = COST.exec(body);
  const actual = ACTUAL.exec(body);
  const never = NEVER.test(body);
  if (!cost && !actual && !never && !arrow) return undefined;
  const cut = Math.min(...[cost?.index, actual?.index, never ? body.search(NEVER) : undefined].filter((i): i is number => i !== undefined), body.length);
  const header = body.slice(0, cut).trim();
  if (header === '') return undefined;
  const node: Omit<PlanNode, 'id' | 'children' | 'details' | 'line'> = { ...describeHeader(header), header, neverExecuted: never };
  if (cost) {
    node.estimate = { startupCost: Number(cost[1]), totalCost: Number(cost[2]), rows: Number(cost[3]), width: Number(cost[4]) };
  }
  if (actual) {
    node.actual = { startMs: parseNumber(actual[1]), endMs: parseNumber(actual[2]), rows: Number(actual[3]), loops: Number(actual[4]) };
  }
  return node;
}

function parseFooter(lines: string[]): PlanFooter {
  const footer: PlanFooter = { other: [] };
  let section: string | undefined;
  for (const raw of lines) {
    if (raw.trim() === '') continue;
    const indented = indentOf(raw) > 0;
    const m = /^\s*([^:]+):\s*(.*)$/.exec(raw);
    if (!indented) section = m?.[1];
    if (!m) {
      footer.other.push(raw);
      continue;
    }
    const key = m[1]!.trim();
    const value = m[2]!.trim();
    if (indented && section === 'Statement DPU Estimate') {
      footer.dpu ??= {};
      const k = key.toLowerCase().replace(/[^a-z]/g, '');
      if (k === 'compute') footer.dpu.compute = value;
      else if (k === 'read') footer.dpu.read = value;
      else if (k === 'write') footer.dpu.write = value;
      else if (k === 'multiregionwrite') footer.dpu.multiRegionWrite = value;
      else if (k === 'total') footer.dpu.total = value;
      else footer.other.push(raw);
      continue;
    }
    if (indented) {
      footer.other.push(raw);
      continue;
    }
    if (key === 'Query Identifier') footer.queryIdentifier = value;
    else if (key === 'Planning Time') {
      footer.planningTime = value;
      footer.planningMs = milliseconds(value);
    } else if (key === 'Execution Time') {
      footer.executionTime = value;
      footer.executionMs = milliseconds(value);
    } else if (key === 'Statement DPU Estimate') {
      footer.dpu ??= {};
      // Some versions print the total on the heading line.
      if (value !== '') footer.dpu.total = value;
    } else footer.other.push(raw);
  }
  return footer;
}

/** Parse EXPLAIN text (one line per row of the QUERY PLAN column, joined with newlines). */
export function parsePlanText(text: string): ParsedPlan {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  // psql's own decoration, if someone captured it: the header, the dashes and "(N rows)".
  while (lines.length && /^\s*(QUERY PLAN\s*|-+\s*)$/.test(lines[0]!)) lines.shift();
  while (lines.length && /^\s*(\(\d+ rows?\))?\s*$/.test(lines[lines.length - 1]!)) lines.pop();
  if (lines.length === 0) throw new PlanParseError('the plan text is empty');

  const nodes: PlanNode[] = [];
  const stack: { node: PlanNode; indent: number }[] = [];
  let pendingBranch: { label: string; indent: number } | undefined;
  let lastDetail: PlanDetail | undefined;
  let footerFrom = lines.length;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const indent = indentOf(line);
    if (nodes.length > 0 && indent === 0 && FOOTER_START.test(line)) {
      footerFrom = i;
      break;
    }
    const parsed = headerNode(line, nodes.length === 0);
    if (parsed) {
      // The node's indentation is where its name starts (after `->`).
      const nameIndent = line.indexOf(parsed.header);
      while (stack.length && stack[stack.length - 1]!.indent >= nameIndent) stack.pop();
      const parent = stack[stack.length - 1]?.node;
      if (nodes.length > 0 && !parent) throw new PlanParseError(`line ${i + 1} is a plan node outside the tree: ${line.trim()}`);
      const node: PlanNode = { ...parsed, id: nodes.length, details: [], children: [], line: i + 1 };
      if (pendingBranch && pendingBranch.indent < nameIndent) node.branch = pendingBranch.label;
      pendingBranch = undefined;
      parent?.children.push(node);
      nodes.push(node);
      stack.push({ node, indent: nameIndent });
      lastDetail = undefined;
      continue;
    }
    if (nodes.length === 0) throw new PlanParseError(`the first line is not a plan node: ${line.trim()}`);
    const branch = BRANCH.exec(line.trim());
    if (branch) {
      while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
      pendingBranch = { label: branch[1]!, indent };
      lastDetail = undefined;
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9 ()_-]*?):\s?(.*)$/.exec(line.trim());
    if (!kv && lastDetail) {
      // A value that spans lines (EXPLAIN prints a line break inside a literal as is), whatever its indentation.
      lastDetail.value += ' ' + line.trim();
      continue;
    }
    // A detail belongs to the innermost node that starts left of it.
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    lastDetail = kv ? { key: kv[1]!, value: kv[2]! } : { key: '', value: line.trim() };
    stack[stack.length - 1]!.node.details.push(lastDetail);
  }
  return { text: lines.join('\n'), root: nodes[0]!, nodes, footer: parseFooter(lines.slice(footerFrom)) };
}

/** The first detail value with this key (`Filter`, `Index Cond`, ...). */
export function detail(node: PlanNode, key: string): string | undefined {
  return node.details.find((d) => d.key === key)?.value;
}

/** A numeric detail such as `Rows Removed by Filter: 9000`. */
export function numericDetail(node: PlanNode, key: string): number | undefined {
  return parseNumber(detail(node, key)?.split(/\s/)[0]);
}
