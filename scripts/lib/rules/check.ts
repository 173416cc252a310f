// checkStatement: every statement-level and input-level rule for one parsed statement.
// No I/O and no re-parsing: the Statement already carries its tree and tokens. The local
// server calls this on every statement it receives, the linter on every statement of a file.
import type { Statement } from '../sql/parser.js';
import { checkAlterTable } from './checks/alter.js';
import { checkCreateTable } from './checks/columns.js';
import { checkExpressions } from './checks/expressions.js';
import { checkIndex } from './checks/indexes.js';
import { checkByKind, checkDrop, checkOther } from './checks/statements.js';
import { Findings } from './finding.js';
import type { CheckContext, Finding } from './types.js';

const NO_PREVIOUS: CheckContext = { previous: [] };

export function checkStatement(stmt: Statement, ctx: CheckContext = NO_PREVIOUS): Finding[] {
  const f = new Findings(stmt);
  if (!checkByKind(stmt, f)) {
    switch (stmt.kind) {
      case 'CreateStmt':
        checkCreateTable(stmt, f, ctx);
        break;
      case 'AlterTableStmt':
        checkAlterTable(stmt, f, ctx);
        break;
      case 'IndexStmt':
        checkIndex(stmt, f, ctx);
        break;
      case 'DropStmt':
        checkDrop(stmt, f);
        break;
      default:
        checkOther(stmt, f, ctx);
    }
  }
  checkExpressions(stmt, f);
  return f.list;
}
