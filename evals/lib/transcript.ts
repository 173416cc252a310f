// A transcript is what an agent did and said for one prompt, in order. Two sources:
//  - Claude Code's `--output-format stream-json` (one JSON event per line: system/init,
//    assistant messages with text and tool_use blocks, user messages with tool_result
//    blocks, and a closing result event);
//  - a plain final answer (Markdown) from any other agent, which has text and no tool calls.
// Graders never look at the raw file, only at this model.

export interface TextStep {
  kind: 'text';
  index: number;
  text: string;
}

export interface ToolStep {
  kind: 'tool';
  index: number;
  id: string;
  name: string;
  input: Record<string, unknown>;
  result?: { text: string; isError: boolean };
}

export type Step = TextStep | ToolStep;

export interface TranscriptMeta {
  model?: string;
  /** Skills the harness offered (system/init `skills`). */
  skills?: string[];
  durationMs?: number;
  numTurns?: number;
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** The run ended in an error (result.is_error, or a non-success subtype such as error_max_turns). */
  isError?: boolean;
  subtype?: string;
}

export interface Transcript {
  format: 'stream-json' | 'plain';
  steps: Step[];
  /** The agent's final answer: the result event's text, else the last text step. */
  finalText: string;
  meta: TranscriptMeta;
  /** Size of the source, for execution metrics. */
  chars: number;
}

export class TranscriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscriptError';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a tool_result content: a string, or an array of {type:'text', text} blocks. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((block) => (isObject(block) && typeof block.text === 'string' ? block.text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return '';
}

/** Parses stream-json text. Lines that are not JSON objects make it fail: a fixture must be exact. */
export function parseStreamJson(source: string): Transcript {
  const steps: Step[] = [];
  const byId = new Map<string, ToolStep>();
  const meta: TranscriptMeta = {};
  let resultTextValue: string | undefined;
  let sawEvent = false;

  const lines = source.split('\n');
  lines.forEach((line, lineIndex) => {
    if (!line.trim()) return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new TranscriptError(`line ${lineIndex + 1} is not JSON`);
    }
    if (!isObject(event) || typeof event.type !== 'string') throw new TranscriptError(`line ${lineIndex + 1} is not a stream-json event`);
    sawEvent = true;
    switch (event.type) {
      case 'system':
        if (event.subtype === 'init') {
          if (typeof event.model === 'string') meta.model = event.model;
          if (Array.isArray(event.skills)) meta.skills = event.skills.map(String);
        }
        break;
      case 'assistant': {
        const content = isObject(event.message) ? event.message.content : undefined;
        if (!Array.isArray(content)) break;
        for (const block of content) {
          if (!isObject(block)) continue;
          if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
            steps.push({ kind: 'text', index: steps.length, text: block.text });
          } else if (block.type === 'tool_use' && typeof block.name === 'string') {
            const step: ToolStep = {
              kind: 'tool',
              index: steps.length,
              id: typeof block.id === 'string' ? block.id : `tool-${steps.length}`,
              name: block.name,
              input: isObject(block.input) ? block.input : {},
            };
            steps.push(step);
            byId.set(step.id, step);
          }
        }
        break;
      }
      case 'user': {
        const content = isObject(event.message) ? event.message.content : undefined;
        if (!Array.isArray(content)) break;
        for (const block of content) {
          if (!isObject(block) || block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
          const step = byId.get(block.tool_use_id);
          if (step) step.result = { text: resultText(block.content), isError: block.is_error === true };
        }
        break;
      }
      case 'result': {
        if (typeof event.result === 'string') resultTextValue = event.result;
        if (typeof event.duration_ms === 'number') meta.durationMs = event.duration_ms;
        if (typeof event.num_turns === 'number') meta.numTurns = event.num_turns;
        if (typeof event.total_cost_usd === 'number') meta.costUsd = event.total_cost_usd;
        if (typeof event.subtype === 'string') meta.subtype = event.subtype;
        meta.isError = event.is_error === true || (typeof event.subtype === 'string' && event.subtype !== 'success');
        const usage = isObject(event.usage) ? event.usage : undefined;
        if (usage) {
          const n = (k: string) => (typeof usage[k] === 'number' ? (usage[k] as number) : 0);
          meta.inputTokens = n('input_tokens') + n('cache_creation_input_tokens') + n('cache_read_input_tokens');
          meta.outputTokens = n('output_tokens');
        }
        break;
      }
      default:
        // stream_event (partial messages) and other event types carry nothing the graders need.
        break;
    }
  });
  if (!sawEvent) throw new TranscriptError('no stream-json events');

  const lastText = [...steps].reverse().find((s): s is TextStep => s.kind === 'text');
  return { format: 'stream-json', steps, finalText: resultTextValue ?? lastText?.text ?? '', meta, chars: source.length };
}

/** A plain final answer: one text step, no tool calls. */
export function parsePlain(source: string): Transcript {
  const steps: Step[] = source.trim() ? [{ kind: 'text', index: 0, text: source }] : [];
  return { format: 'plain', steps, finalText: source, meta: {}, chars: source.length };
}

/**
 * Reads either format. A source whose first non-blank line is a JSON object with a string
 * `type` is stream-json; anything else is a plain answer.
 */
export function parseTranscript(source: string): Transcript {
  const first = source.split('\n').find((l) => l.trim());
  if (first?.trimStart().startsWith('{')) {
    try {
      const event: unknown = JSON.parse(first);
      if (isObject(event) && typeof event.type === 'string') return parseStreamJson(source);
    } catch {
      // Not JSON: a Markdown answer may start with a brace.
    }
  }
  return parsePlain(source);
}

export const toolSteps = (t: Transcript): ToolStep[] => t.steps.filter((s): s is ToolStep => s.kind === 'tool');
export const textSteps = (t: Transcript): TextStep[] => t.steps.filter((s): s is TextStep => s.kind === 'text');

/** Counts of tool calls by tool name (for grading.json execution_metrics). */
export function toolCallCounts(t: Transcript): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of toolSteps(t)) counts[s.name] = (counts[s.name] ?? 0) + 1;
  return counts;
}
