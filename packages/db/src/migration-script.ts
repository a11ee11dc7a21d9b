/**
 * What the applier needs to know about a migration script before running it: how many statements it
 * has and whether it manages transactions itself. Read with a small lexer that understands what can
 * hide a `;` or a keyword — comments (`--`, nested `/* *\/`), string literals (`'...'`, `E'...'`),
 * quoted identifiers and dollar-quoted bodies (`$$ ... $$`, `$fn$ ... $fn$`) — so `BEGIN` inside a
 * `DO $$ BEGIN ... END $$` block is not mistaken for transaction control.
 */
export interface ScriptShape {
  /** Statements with content (comments and empty `;;` do not count). */
  statements: number;
  /**
   * The first word of each statement that starts, ends or splits a transaction (BEGIN, START, COMMIT,
   * END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, PREPARE TRANSACTION): such a script cannot run inside ours.
   */
  transactionControl: string[];
}

const TRANSACTION_CONTROL = new Set([
  "BEGIN",
  "START",
  "COMMIT",
  "END",
  "ROLLBACK",
  "ABORT",
  "SAVEPOINT",
  "RELEASE",
]);

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;
const WORD = /^[A-Za-z_][A-Za-z0-9_$]*/;

export function scriptShape(script: string): ScriptShape {
  const firstWords: string[] = [];
  let words: string[] = [];
  let hasContent = false;
  let i = 0;
  const endStatement = () => {
    // PREPARE TRANSACTION is transaction control; PREPARE name AS ... (a prepared statement) is not.
    const [first = "", second] = words;
    if (hasContent)
      firstWords.push(first === "PREPARE" && second === "TRANSACTION" ? "PREPARE TRANSACTION" : first);
    words = [];
    hasContent = false;
  };
  while (i < script.length) {
    const char = script[i] as string;
    const next = script[i + 1];
    if (char === ";") {
      endStatement();
      i++;
    } else if (/\s/.test(char)) {
      i++;
    } else if (char === "-" && next === "-") {
      const end = script.indexOf("\n", i);
      i = end === -1 ? script.length : end + 1;
    } else if (char === "/" && next === "*") {
      i = skipBlockComment(script, i);
    } else {
      hasContent = true;
      if (char === "'" || ((char === "E" || char === "e") && next === "'")) {
        i = skipQuoted(script, char === "'" ? i : i + 1, "'", char !== "'");
      } else if (char === '"') {
        i = skipQuoted(script, i, '"');
      } else if (char === "$" && DOLLAR_TAG.test(script.slice(i, i + 65))) {
        const tag = (DOLLAR_TAG.exec(script.slice(i, i + 65)) as RegExpExecArray)[0];
        const end = script.indexOf(tag, i + tag.length);
        i = end === -1 ? script.length : end + tag.length;
      } else {
        const word = WORD.exec(script.slice(i, i + 64))?.[0];
        if (word !== undefined) {
          if (words.length < 2) words.push(word.toUpperCase());
          i += word.length;
        } else {
          if (words.length < 2) words.push("");
          i++;
        }
      }
    }
  }
  endStatement();
  return {
    statements: firstWords.length,
    transactionControl: firstWords.filter(
      (word) => TRANSACTION_CONTROL.has(word) || word === "PREPARE TRANSACTION",
    ),
  };
}

function skipBlockComment(script: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < script.length) {
    if (script.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (script.startsWith("*/", i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return script.length;
}

/**
 * Skips a quoted run (`'it''s'`, `"a""b"`) whose closing quote is doubled to escape it, and with
 * backslash escapes too for `E'...'` strings.
 */
function skipQuoted(script: string, quoteAt: number, quote: string, backslashEscapes = false): number {
  let i = quoteAt + 1;
  while (i < script.length) {
    const char = script[i];
    if (backslashEscapes && char === "\\") {
      i += 2;
    } else if (char === quote) {
      if (script[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return script.length;
}
