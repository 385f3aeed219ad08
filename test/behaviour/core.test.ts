import { createTodoApi, InMemoryImportLedger, InMemoryTodoRepository } from "@anycloud/core";
import { CORS_ORIGINS, describeTodoApiBehaviour } from "./todo-api.behaviour.js";

describeTodoApiBehaviour(
  "core, called directly",
  async () => ({
    invoke: createTodoApi({
      todos: new InMemoryTodoRepository(),
      imports: new InMemoryImportLedger(),
      cors: { origins: CORS_ORIGINS },
    }),
  }),
  { cors: true },
);
