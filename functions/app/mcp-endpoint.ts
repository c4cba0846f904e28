/**
 * The sample MCP server alone: the MCP SDK and its schema libraries (zod, ajv) have module-level side
 * effects, so any module that imports them puts some 200 KB in every bundle that imports that module.
 * Only the MCP server's entry imports this one.
 */
import { createMcpServerHandler } from '#adapters/endpoints/protected/mcp';
import { lambdaRuntime, type Runtime } from './runtime.ts';

export const mcpServerEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  createMcpServerHandler(runtime.logger);
