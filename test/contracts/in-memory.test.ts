import { InMemoryImportLedger, InMemoryTodoRepository } from "@anycloud/core";
import { describeImportLedgerContract } from "./import-ledger.contract.js";
import { describeTodoRepositoryContract } from "./todo-repository.contract.js";

describeTodoRepositoryContract("InMemoryTodoRepository", async () => ({
  repository: new InMemoryTodoRepository(),
}));

describeImportLedgerContract("InMemoryImportLedger", async () => ({ ledger: new InMemoryImportLedger() }));
