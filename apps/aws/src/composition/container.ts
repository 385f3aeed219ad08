import { CLOCK, type Clock, createJsonLogger, LOGGER, type Logger, systemClock } from "@anycloud/core";
import { Container, type ContainerModule, type ServiceIdentifier } from "inversify";
import { type AwsAppConfig, readAwsConfig } from "./config.js";
import { AWS_CONFIG } from "./tokens.js";

/**
 * The composition root of the AWS functions: the only place that knows inversify. A function's module calls
 * `compose` once, at load (cold start), with the modules it needs, and resolves what it serves; nothing is
 * resolved per invocation.
 *
 * @example
 * export const handler = createLambdaHttpHandler(resolve<TodoApi>(TODO_API, [dynamoDbStorage, todoApi]));
 */
export function compose(modules: ContainerModule[], config: AwsAppConfig = readAwsConfig()): Container {
  const container = new Container({ defaultScope: "Singleton" });
  container.bind<AwsAppConfig>(AWS_CONFIG).toConstantValue(config);
  container.bind<Logger>(LOGGER).toConstantValue(createJsonLogger(config.logLevel));
  container.bind<Clock>(CLOCK).toConstantValue(systemClock);
  container.load(...modules);
  return container;
}

/** Composes and resolves one service. */
export function resolve<T>(id: ServiceIdentifier<T>, modules: ContainerModule[], config?: AwsAppConfig): T {
  return compose(modules, config).get<T>(id);
}
