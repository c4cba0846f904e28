export { handler } from '#adapters/endpoints/protected/sample';
