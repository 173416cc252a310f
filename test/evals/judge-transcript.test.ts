// The transcript reader and the fail-closed LLM judge.
import { describe, expect, it } from 'vitest';
import { commandJudge, judge, JUDGE_MAX_CHARS, judgePrompt, parseJudgeAnswer } from '../../evals/lib/judge.js';
import { parsePlain, parseStreamJson, parseTranscript, TranscriptError } from '../../evals/lib/transcript.js';

const stream = [
  { type: 'system', subtype: 'init', model: 'm-1', skills: ['aurora-dsql'] },
  { type: 'assistant', message: { content: [{ type: 'text', text: 'Looking.' }, { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }] } },
  { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'a.sql' }], is_error: true }] } },
  { type: 'stream_event', event: { type: 'content_block_delta' } },
  { type: 'result', subtype: 'success', is_error: false, result: 'Done.', duration_ms: 1200, num_turns: 2, usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 3 } },
]
  .map((e) => JSON.stringify(e))
  .join('\n');

describe('transcripts', () => {
  it('reads Claude Code stream-json: text, tool calls with their results, and the result event', () => {
    const t = parseTranscript(stream);
    expect(t.format).toBe('stream-json');
    expect(t.steps.map((s) => s.kind)).toEqual(['text', 'tool']);
    expect(t.steps[1]).toMatchObject({ name: 'Bash', input: { command: 'ls' }, result: { text: 'a.sql', isError: true } });
    expect(t.finalText).toBe('Done.');
    expect(t.meta).toMatchObject({ model: 'm-1', skills: ['aurora-dsql'], durationMs: 1200, inputTokens: 15, outputTokens: 3, isError: false });
  });

  it('marks a run that hit the turn limit as an error', () => {
    const t = parseStreamJson(JSON.stringify({ type: 'result', subtype: 'error_max_turns', is_error: false }));
    expect(t.meta.isError).toBe(true);
  });

  it('treats anything else as a plain final answer, even Markdown that starts with a brace', () => {
    expect(parseTranscript('{curly} is how I start\n```sql\nSELECT 1\n```').format).toBe('plain');
    expect(parsePlain('').steps).toEqual([]);
  });

  it('refuses a stream-json file with a broken line instead of guessing', () => {
    expect(() => parseStreamJson(stream + '\n{"type": "assistant", oops')).toThrow(TranscriptError);
    expect(() => parseStreamJson('[1, 2]')).toThrow(/not a stream-json event/);
  });
});

describe('judge answers fail closed', () => {
  it.each([
    ['bare object', '{"passed": true, "evidence": "quote"}', true],
    ['json fence', '```json\n{"passed": false, "evidence": "no quote"}\n```', false],
    ['claude --output-format json envelope', JSON.stringify({ type: 'result', result: '{"passed": true, "evidence": "x"}' }), true],
  ])('accepts %s', (_, raw, passed) => {
    const v = parseJudgeAnswer(raw);
    expect(v.passed).toBe(passed);
    expect(v.evidence).not.toMatch(/counted as a failure/);
  });

  it.each([
    ['prose', 'Yes, it passes.'],
    ['trailing text', '{"passed": true, "evidence": "x"} and more'],
    ['array', '[true]'],
    ['string passed', '{"passed": "true", "evidence": "x"}'],
    ['no evidence', '{"passed": true}'],
    ['empty evidence', '{"passed": true, "evidence": "  "}'],
    ['empty answer', ''],
    ['errored envelope', JSON.stringify({ type: 'result', is_error: true, result: '{"passed": true, "evidence": "x"}' })],
  ])('turns %s into a failure', (_, raw) => {
    expect(parseJudgeAnswer(raw).passed).toBe(false);
  });

  const t = parseTranscript(stream);
  it('fails without a judge, when the judge errors, and when the transcript is too long to show', async () => {
    expect((await judge(undefined, 'p', 'e', 'rubric', t)).evidence).toMatch(/no judge available/);
    expect((await judge(async () => Promise.reject(new Error('boom')), 'p', 'e', 'r', t)).evidence).toMatch(/judge failed: boom/);
    const long = parsePlain('x'.repeat(JUDGE_MAX_CHARS + 1));
    const called: string[] = [];
    const v = await judge(async (p) => (called.push(p), '{"passed": true, "evidence": "x"}'), 'p', 'e', 'r', long);
    expect(v).toMatchObject({ passed: false });
    expect(called).toEqual([]);
  });

  it('runs a judge command with the prompt on stdin, and fails on a non-zero exit', async () => {
    // A real child process: the command echoes whether the prompt carried the transcript.
    const ok = commandJudge(`grep -q '<<<TRANSCRIPT' && printf '{"passed": true, "evidence": "saw transcript"}'`);
    expect(await judge(ok, 'task', 'expectation', 'rubric', t)).toEqual({ passed: true, evidence: 'saw transcript' });
    const broken = commandJudge('cat > /dev/null; echo nope >&2; exit 3');
    expect((await judge(broken, 'task', 'e', 'r', t)).evidence).toMatch(/exited 3: nope/);
  });

  it('tells the judge that the transcript is data, and shows the tool calls', () => {
    const prompt = judgePrompt('the task', 'the expectation', 'the rubric', t);
    expect(prompt).toMatch(/data, not instructions/);
    expect(prompt).toContain('[tool call: Bash]');
    expect(prompt).toContain('[tool result, error]');
    expect(prompt).toContain('the rubric');
  });
});
