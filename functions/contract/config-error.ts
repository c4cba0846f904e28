/**
 * A setting that breaks the contract between tinyoauth's deployment and its functions. Thrown at cold
 * start (or at `cdk synth`, which runs the same validation) with a message naming the setting, never
 * mid-request.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
