// The code editor the rule editor drives: CodeMirror 6, bundled by esbuild into
// editor/codemirror.js in the build folder (scripts/build.sh) and loaded only by the editor view.
// Styles go to the shadow root as constructed stylesheets, so a strict CSP
// (style-src 'self', no 'unsafe-inline') holds.
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from "@codemirror/view";
import { history, defaultKeymap, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  StreamLanguage, bracketMatching, syntaxHighlighting, defaultHighlightStyle, indentOnInput, foldGutter, foldKeymap,
} from "@codemirror/language";
import { toml } from "@codemirror/legacy-modes/mode/toml";
import { simpleMode } from "@codemirror/legacy-modes/mode/simple-mode";
import { setDiagnostics, lintGutter, lintKeymap } from "@codemirror/lint";
import { search, searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { MergeView } from "@codemirror/merge";

// Rhai as our rules use it: Rust-like keywords, `//` and `/* */` comments, strings,
// integers and decimals, and the engine's helpers.
const rhai = simpleMode({
  start: [
    { regex: /\/\/.*/, token: "comment" },
    { regex: /\/\*/, token: "comment", next: "comment" },
    { regex: /"(?:[^\\"]|\\.)*"?/, token: "string" },
    { regex: /`(?:[^\\`]|\\.)*`?/, token: "string" },
    { regex: /'(?:[^\\']|\\.)'/, token: "string" },
    { regex: /\b(?:fn|let|const|if|else|switch|while|loop|for|in|do|until|break|continue|return|throw|try|catch|private|import|export|as)\b/, token: "keyword" },
    { regex: /\b(?:true|false|this|global)\b/, token: "atom" },
    { regex: /\b\d[\d_]*(?:\.\d[\d_]*)?\b/, token: "number" },
    { regex: /\b[A-Z][A-Z0-9_]+\b/, token: "atom" },
    { regex: /[a-z_]\w*(?=\s*\()/, token: "variable-2" },
    { regex: /[-+*/%=<>!&|^?]+/, token: "operator" },
    { regex: /[{[(]/, indent: true },
    { regex: /[}\])]/, dedent: true },
  ],
  comment: [
    { regex: /.*?\*\//, token: "comment", next: "start" },
    { regex: /.*/, token: "comment" },
  ],
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
});

const languages = { toml: StreamLanguage.define(toml), rhai: StreamLanguage.define(rhai) };

// CodeMirror's own words (search panel, folds, diagnostics, diff), in Chinese.
const zh = EditorState.phrases.of({
  "Find": "查找", "Replace": "替换", "next": "下一个", "previous": "上一个", "all": "全部",
  "match case": "区分大小写", "regexp": "正则表达式", "by word": "全词匹配", "replace": "替换",
  "replace all": "全部替换", "close": "关闭", "current match": "当前匹配", "on line": "在行",
  "Go to line": "跳转到行", "go": "跳转", "Folded lines": "已折叠的行", "Unfolded lines": "已展开的行",
  "Fold line": "折叠", "Unfold line": "展开", "Diagnostics": "问题", "No diagnostics": "没有问题",
  "$ unchanged lines": "$ 行未改动", "Accept": "接受", "Reject": "拒绝",
});
const phrases = (locale) => (locale === "en" ? [] : zh);

const theme = EditorView.theme({
  "&": { fontSize: "13px", height: "100%" },
  ".cm-scroller": { fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Noto Sans Mono CJK SC', monospace" },
  ".cm-content": { minHeight: "20em" },
  "&.cm-focused": { outline: "2px solid #1d4ed8" },
});

function extensions(language, label, locale, onChange) {
  return [
    phrases(locale),
    lineNumbers(), foldGutter(), lintGutter(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(),
    history(), indentOnInput(), bracketMatching(), highlightSelectionMatches(), search({ top: true }),
    syntaxHighlighting(defaultHighlightStyle), languages[language] ?? [], theme, EditorView.lineWrapping,
    // tabindex: contenteditable alone does not count as focusable to every checker (axe).
    EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
    keymap.of([...defaultKeymap, ...historyKeymap, ...foldKeymap, ...searchKeymap, ...lintKeymap, indentWithTab]),
    EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
  ];
}

// A 1-based line and character column as a document position (CodeMirror counts
// UTF-16 units; the engine counts characters).
function position(doc, line, col) {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  let at = l.from;
  let n = 1;
  for (const ch of l.text) {
    if (n >= col) break;
    at += ch.length;
    n += 1;
  }
  return at;
}

// The word (or one character) a diagnostic points at, so the underline shows.
function span(doc, from) {
  const l = doc.lineAt(from);
  const m = /^[\p{L}\p{N}_.]+/u.exec(l.text.slice(from - l.from));
  const to = m ? from + m[0].length : Math.min(from + 1, l.to);
  return to > from ? to : from;
}

/// An editor in `parent`: `problems` are `[{line, col, message}]`.
export function createEditor(parent, text, language, label, locale, onChange) {
  const view = new EditorView({
    parent,
    root: parent.getRootNode(),
    state: EditorState.create({ doc: text, extensions: extensions(language, label, locale, onChange) }),
  });
  return {
    replace(text) {
      if (text !== view.state.doc.toString()) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      }
    },
    problems(list) {
      const doc = view.state.doc;
      const diagnostics = list.map((p) => {
        const from = position(doc, p.line, p.col);
        return { from, to: span(doc, from), severity: p.severity || "error", message: p.message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    reveal(line, col) {
      const at = position(view.state.doc, line, col);
      view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: "center" }) });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}

/// The published text beside the edited one, changes marked; read-only.
export function createDiff(parent, published, edited, language, locale) {
  const ext = [
    phrases(locale),
    lineNumbers(), syntaxHighlighting(defaultHighlightStyle), languages[language] ?? [], theme, EditorView.lineWrapping,
    EditorState.readOnly.of(true), EditorView.editable.of(false),
  ];
  const view = new MergeView({
    parent,
    root: parent.getRootNode(),
    a: { doc: published, extensions: ext },
    b: { doc: edited, extensions: ext },
    collapseUnchanged: { margin: 3, minSize: 6 },
    gutter: true,
  });
  return { destroy: () => view.destroy() };
}
