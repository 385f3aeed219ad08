import { createTodoApi, InMemoryImportLedger, InMemoryTodoRepository } from "@anycloud/core";
import { describeTodoApiBehaviour } from "./todo-api.behaviour.js";

describeTodoApiBehaviour("core, called directly", async () => ({
  invoke: createTodoApi({ todos: new InMemoryTodoRepository(), imports: new InMemoryImportLedger() }),
}));
