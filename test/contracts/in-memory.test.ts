import { InMemoryImportLedger, InMemoryTodoRepository } from "@anycloud/core";
import { describeImportLedgerContract } from "./import-ledger.contract.js";
import { describeTodoRepositoryContract } from "./todo-repository.contract.js";

// Thousands of model runs take half a second here; a listing that moves a todo mid-way is a rare draw.
describeTodoRepositoryContract(
  "InMemoryTodoRepository",
  async () => ({ repository: new InMemoryTodoRepository() }),
  { modelRuns: 3000 },
);

describeImportLedgerContract("InMemoryImportLedger", async () => ({ ledger: new InMemoryImportLedger() }));
