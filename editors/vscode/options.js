// What the extension hands vscode-languageclient, apart from the vscode API:
// test/protocol.test.js starts the server and initializes it with exactly
// these.

// serverOptions: the command VS Code runs (settings deadlinelint.path).
function serverOptions(config) {
  return { command: config.get('path') || 'deadlinelint', args: ['lsp'] };
}

// clientOptions: Go files on disk; the flags (settings deadlinelint.flags)
// go to the server as initialization options, as on the command line.
function clientOptions(config) {
  return {
    documentSelector: [{ scheme: 'file', language: 'go' }],
    initializationOptions: { flags: config.get('flags') || [] },
  };
}

module.exports = { serverOptions, clientOptions };
