// Handoff from aws-database-selection: read requirements.json, validate it against
// schemas/requirements.schema.json, and either reject it (the skill continues without it) or
// acknowledge it and give the scope verdict.
import { acknowledge, type Acknowledgment } from './acknowledge.js';
import { consistencyIssues, type Requirements } from './artifact.js';
import { readArtifact, type ProblemKind } from './read.js';
import { scopeCheck, type ScopeVerdict } from './scope.js';
import { createValidator, type SchemaIssue, type Validator } from './validate.js';

export { MAX_ARTIFACT_BYTES } from './read.js';
export type { Acknowledgment, ScopeVerdict, SchemaIssue };

/** Errors listed in a report; the count says how many there were in all. */
export const MAX_LISTED_ERRORS = 50;

export type HandoffReport =
  | {
      path: string;
      usable: false;
      problem: ProblemKind | 'schema';
      message: string;
      /** Where a JSON syntax error is (1-based). */
      line?: number;
      column?: number;
      errors: SchemaIssue[];
      error_count: number;
      /** The protocol's rule for a bad artifact. */
      next: string;
    }
  | {
      path: string;
      usable: true;
      schema_version: string;
      ignored_fields: SchemaIssue[];
      acknowledgment: Acknowledgment;
      scope: ScopeVerdict;
      next: string;
    };

const CONTINUE = 'tell the user the artifact could not be used and continue without it';

let validator: Validator | undefined;

export async function validateHandoff(path: string, stdin?: NodeJS.ReadableStream): Promise<HandoffReport> {
  const read = await readArtifact(path, stdin);
  if (!read.ok) {
    const { kind, message, line, column } = read.problem;
    return { path, usable: false, problem: kind, message: `${path} ${message}`, ...(line === undefined ? {} : { line, column }), errors: [], error_count: 0, next: CONTINUE };
  }

  validator ??= createValidator();
  let errors = validator.validate(read.data);
  // The cross-field rules assume the types the schema guarantees.
  if (errors.length === 0) errors = consistencyIssues(read.data as Requirements);
  if (errors.length) {
    return {
      path,
      usable: false,
      problem: 'schema',
      message: `${path} does not match the requirements schema (${errors.length} ${errors.length === 1 ? 'error' : 'errors'})`,
      errors: errors.slice(0, MAX_LISTED_ERRORS),
      error_count: errors.length,
      next: CONTINUE,
    };
  }

  const req = read.data as Requirements;
  const scope = scopeCheck(req);
  return {
    path,
    usable: true,
    schema_version: req.schema_version,
    ignored_fields: validator.unknownFields(read.data).slice(0, MAX_LISTED_ERRORS),
    acknowledgment: acknowledge(req),
    scope,
    next: scope.verdict === 'in_scope'
      ? "acknowledge the artifact in the sentences given, then follow this skill's workflows, citing the artifact path where a recommendation rests on it"
      : 'acknowledge the artifact, explain why it looks out of scope, suggest the alternative, and ask the user whether to switch or to proceed with Aurora DSQL anyway',
  };
}
