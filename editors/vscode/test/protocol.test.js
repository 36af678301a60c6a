// Drives `deadlinelint lsp` the way the extension does: the server command
// and initialization options from options.js, over vscode-jsonrpc (the
// JSON-RPC layer of vscode-languageclient, the library VS Code's client
// runs on), with the client capabilities VS Code announces for diagnostics
// and code actions. No VS Code here: the editor's own UI is not exercised.
//
//   DEADLINELINT=/path/to/deadlinelint node test/protocol.test.js MODULE_DIR
//
// MODULE_DIR is a copy of testdata/lsp/mod. Exits non-zero on any failure.
const assert = require('assert');
const cp = require('child_process');
const path = require('path');
const url = require('url');
const fs = require('fs');
const proto = require('vscode-languageserver-protocol/node');
const { serverOptions, clientOptions } = require('../options');

const settings = { path: process.env.DEADLINELINT, flags: [] };
const config = { get: (key) => settings[key] };
const moduleDir = path.resolve(process.argv[2]);
const file = path.join(moduleDir, 'fix', 'fix.go');
const uri = url.pathToFileURL(file).toString();

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  const server = serverOptions(config);
  const child = cp.spawn(server.command, server.args, { cwd: moduleDir, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const conn = proto.createProtocolConnection(
    new proto.StreamMessageReader(child.stdout),
    new proto.StreamMessageWriter(child.stdin),
  );
  const published = [];
  let wake = () => {};
  conn.onNotification(proto.PublishDiagnosticsNotification.type, (params) => {
    published.push(params);
    wake();
  });
  conn.onNotification(proto.LogMessageNotification.type, () => {});
  conn.listen();
  const diagnosticsOf = (target) => withTimeout(new Promise((resolve) => {
    const check = () => {
      const found = published.find((p) => p.uri === target);
      if (found) resolve(found);
    };
    wake = check;
    check();
  }), 180000, `diagnostics of ${target}`);

  const opts = clientOptions(config);
  const init = await conn.sendRequest(proto.InitializeRequest.type, {
    processId: process.pid,
    rootUri: url.pathToFileURL(moduleDir).toString(),
    workspaceFolders: [{ uri: url.pathToFileURL(moduleDir).toString(), name: 'mod' }],
    initializationOptions: opts.initializationOptions,
    capabilities: {
      textDocument: {
        synchronization: { didSave: true, dynamicRegistration: true },
        publishDiagnostics: { relatedInformation: true, versionSupport: false, tagSupport: { valueSet: [1, 2] }, codeDescriptionSupport: true, dataSupport: true },
        codeAction: {
          dynamicRegistration: true,
          isPreferredSupport: true,
          disabledSupport: true,
          dataSupport: true,
          resolveSupport: { properties: ['edit'] },
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } },
          honorsChangeAnnotations: false,
        },
      },
      workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } },
    },
  });
  const caps = init.capabilities;
  assert.ok(caps.textDocumentSync && caps.textDocumentSync.openClose, 'text document sync with open/close');
  assert.ok(caps.textDocumentSync.save, 'save notifications');
  assert.deepStrictEqual(caps.codeActionProvider.codeActionKinds, ['quickfix']);
  await conn.sendNotification(proto.InitializedNotification.type, {});

  await conn.sendNotification(proto.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'go', version: 1, text: fs.readFileSync(file, 'utf8') },
  });
  const { diagnostics } = await diagnosticsOf(uri);
  const rules = diagnostics.map((d) => d.code).sort();
  assert.deepStrictEqual(rules, ['sharedeadline', 'swallowcancel', 'timeoutleak'], 'one finding per rule of fix.go');
  for (const d of diagnostics) {
    assert.strictEqual(d.source, 'deadlinelint');
    assert.strictEqual(d.severity, proto.DiagnosticSeverity.Warning);
    assert.ok(d.codeDescription.href.endsWith('#' + d.code), `README link of ${d.code}: ${d.codeDescription.href}`);
  }

  const actions = await conn.sendRequest(proto.CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
    context: { diagnostics, only: ['quickfix'], triggerKind: 1 },
  });
  assert.strictEqual(actions.length, diagnostics.length, 'a quick fix per finding');
  for (const a of actions) {
    assert.strictEqual(a.kind, 'quickfix');
    assert.strictEqual(a.isPreferred, true, `${a.title}: the only fix is preferred`);
    assert.strictEqual(a.diagnostics.length, 1);
    const edits = a.edit.changes[uri];
    assert.ok(edits && edits.length > 0, `${a.title}: edits of fix.go`);
  }

  await conn.sendRequest(proto.ShutdownRequest.type);
  await conn.sendNotification(proto.ExitNotification.type);
  const code = await withTimeout(exited, 10000, 'exit');
  assert.strictEqual(code, 0, 'exit status after shutdown and exit');
  conn.dispose();
  console.log(`ok: ${diagnostics.length} diagnostics (${rules.join(', ')}), ${actions.length} quick fixes`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
