export {
  createLambdaHttpHandler,
  type LambdaHttpHandler,
  type LambdaHttpOptions,
  type LambdaHttpResult,
} from "./lambda-http-handler.js";
export { MalformedEventError } from "./malformed-event.js";
export { MAX_RESULT_BYTES } from "./result-limit.js";
