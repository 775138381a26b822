'use strict';

/**
 * Serverless creates a shared Lambda role (IamRoleLambdaExecution) even when every function gets
 * its own from serverless-iam-roles-per-function. An unused role with broad log permissions only
 * confuses a security review, so it is removed from the template when nothing references it.
 * Listed after serverless-iam-roles-per-function in serverless.yml so that it runs after it.
 */
class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.dropIfUnused() };
  }

  dropIfUnused() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    if (!resources.IamRoleLambdaExecution) return;
    const others = Object.entries(resources).filter(([id]) => id !== 'IamRoleLambdaExecution');
    if (!/"IamRoleLambdaExecution"/.test(JSON.stringify(others))) delete resources.IamRoleLambdaExecution;
  }
}

module.exports = DropUnusedDefaultRole;
