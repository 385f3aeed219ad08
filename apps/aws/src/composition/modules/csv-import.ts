import {
  CLOCK,
  type Clock,
  IMPORT_LEDGER,
  type ImportLedger,
  ImportTodos,
  LOGGER,
  type Logger,
  OBJECT_SOURCE,
  type ObjectSource,
  TODO_REPOSITORY,
  type TodoRepository,
} from "@anycloud/core";
import { ContainerModule } from "inversify";
import { IMPORT_TODOS } from "../tokens.js";

/** The CSV import use case, reading objects through the bound ObjectSource. */
export const csvImport = new ContainerModule(({ bind }) => {
  bind<ImportTodos>(IMPORT_TODOS).toResolvedValue(
    (todos: TodoRepository, ledger: ImportLedger, clock: Clock, logger: Logger, objects: ObjectSource) =>
      new ImportTodos(todos, ledger, clock, logger, objects),
    [TODO_REPOSITORY, IMPORT_LEDGER, CLOCK, LOGGER, OBJECT_SOURCE],
  );
});
