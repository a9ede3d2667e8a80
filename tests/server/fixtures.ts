// Moved: record factories live in tests/factories/records.ts, the Outbox in
// tests/factories/mutations.ts. This file remains only because
// src/app/screens/supervisor/Dashboard.test.tsx imports it and this change could
// not edit src/; delete it when that import moves to tests/factories/.
export { Outbox } from '../factories/mutations';
export {
  createHouseholdRecord as household,
  createPersonRecord as person,
  createVisitRecord as visit,
} from '../factories/records';
