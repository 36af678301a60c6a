// The deadlinelint extension starts `deadlinelint lsp` for Go files: the
// findings appear as diagnostics (rule name and README link on each), and
// their suggested fixes as quick fixes. The server analyses files as saved.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { serverOptions, clientOptions } = require('./options');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('deadlinelint');
  client = new LanguageClient('deadlinelint', 'deadlinelint', serverOptions(config), clientOptions(config));
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
