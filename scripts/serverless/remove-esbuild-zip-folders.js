'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * serverless-esbuild (1.57) copies each artifact's files into
 * `<system temp>/<zip name>-<pid>-<time>-<8 hex>` before zipping, then removes that folder without
 * `recursive`, which fails for a folder and is ignored: every `sls package` or `sls deploy` would
 * leave a copy of every bundle behind. This removes the folders of this process's own artifacts
 * once they are zipped; nothing else in the temporary folder matches that name.
 */
class RemoveEsbuildZipFolders {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    const remove = () => this.removeZipFolders();
    this.hooks = {
      'after:package:createDeploymentArtifacts': remove,
      'after:deploy:function:packageFunction': remove,
    };
  }

  removeZipFolders() {
    const { service } = this.serverless;
    const zipNames = [service.service, ...service.getAllFunctions()].map(escapeRegExp);
    const ours = new RegExp(`^(?:${zipNames.join('|')})-${process.pid}-\\d+-[0-9a-f]{8}$`);
    const temp = os.tmpdir();
    let entries;
    try {
      entries = fs.readdirSync(temp, { withFileTypes: true });
    } catch (error) {
      this.warn(`could not list ${temp} to remove serverless-esbuild's zip folders: ${error.message}`);
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || !ours.test(entry.name)) continue;
      try {
        fs.rmSync(path.join(temp, entry.name), { recursive: true, force: true });
      } catch (error) {
        this.warn(
          `could not remove serverless-esbuild's zip folder ${path.join(temp, entry.name)}: ${error.message}`,
        );
      }
    }
  }

  // The artifacts are built either way: a folder left behind is worth a line, not a failed deploy.
  warn(message) {
    if (this.log?.warning) this.log.warning(message);
    else process.stderr.write(`${message}\n`);
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

module.exports = RemoveEsbuildZipFolders;
