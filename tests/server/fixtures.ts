// Records and mutations as the device builds them (allFields/diffFields).
import { allFields, diffFields } from '../../src/shared/fields';
import { uuidv7 } from '../../src/shared/ids';
import { PROTOCOL_VERSION, type Mutation, type PushRequest } from '../../src/shared/protocol';
import { emptyPlatforms, type Entity, type Household, type Person, type Visit } from '../../src/shared/schemas';

const now = () => new Date().toISOString();

export function household(over: Partial<Household> = {}): Household {
  const at = now();
  return {
    id: uuidv7(),
    createdAt: at,
    updatedAt: at,
    deleted: false,
    wardCode: 'CUANAM',
    group: 'TDP 1',
    address: { houseNumber: '12', lane: 'Ngõ 45', street: 'Hàng Bông' },
    headName: 'Trần Văn Minh',
    povertyStatus: 'none',
    consent: { given: true, at, by: 'vol-1' },
    ...over,
  };
}

export function person(householdId: string, over: Partial<Person> = {}): Person {
  const at = now();
  return {
    id: uuidv7(),
    createdAt: at,
    updatedAt: at,
    deleted: false,
    wardCode: 'CUANAM',
    householdId,
    fullName: 'Nguyễn Thị Lan',
    birthYear: 1954,
    flags: { disability: false, livesAlone: true },
    platforms: emptyPlatforms(),
    ...over,
  };
}

export function visit(householdId: string, over: Partial<Visit> = {}): Visit {
  const at = now();
  return {
    id: uuidv7(),
    createdAt: at,
    updatedAt: at,
    deleted: false,
    wardCode: 'CUANAM',
    householdId,
    channel: 'door',
    at,
    volunteerId: 'vol-1',
    outcome: 'helped',
    people: [],
    services: [],
    ...over,
  };
}

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
