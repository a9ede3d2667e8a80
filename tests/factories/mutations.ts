// Mutations and push bodies as a device builds them (allFields/diffFields),
// numbered like a device's outbox: seq counts from 1 per clientId.
//
//   const box = new Outbox();
//   const h = createHouseholdRecord();
//   await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body([box.create('household', h)]) });
import { allFields, diffFields } from '../../src/shared/fields';
import { uuidv7 } from '../../src/shared/ids';
import { PROTOCOL_VERSION, type Mutation, type PushRequest } from '../../src/shared/protocol';
import type { Entity } from '../../src/shared/schemas';

const now = () => new Date().toISOString();

/** A device-side mutation log: seq counts from 1 per clientId. */
export class Outbox {
  seq = 0;
  constructor(readonly clientId = `client-${uuidv7()}`) {}

  create(entity: Entity, record: { id: string }): Mutation {
    return { seq: ++this.seq, entity, id: record.id, op: 'upsert', fields: allFields(record), at: now() };
  }

  update(entity: Entity, before: { id: string }, after: object): Mutation {
    const { fields, base } = diffFields(before, after);
    return { seq: ++this.seq, entity, id: before.id, op: 'upsert', fields, base, at: now() };
  }

  remove(entity: Entity, id: string): Mutation {
    return { seq: ++this.seq, entity, id, op: 'delete', fields: {}, at: now() };
  }

  raw(m: Omit<Mutation, 'seq' | 'at'> & { at?: string }): Mutation {
    return { at: now(), ...m, seq: ++this.seq };
  }

  body(mutations: Mutation[]): PushRequest {
    return { protocol: PROTOCOL_VERSION, clientId: this.clientId, mutations };
  }
}
