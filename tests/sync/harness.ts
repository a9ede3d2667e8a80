// The server that the device-engine files run against: SQLite, with two
// volunteers of TDP 5 who may share one phone, Lan and Minh.
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../server/helpers';
import { createDevice, type Device } from './device';

export interface LanAndMinh {
  s: TestServer;
  lan: TestUser;
  minh: TestUser;
}

/** Starts the server in beforeAll and closes it in afterAll; read the fields inside tests. */
export function serverWithLanAndMinh(): LanAndMinh {
  const world = {} as LanAndMinh;
  beforeAll(async () => {
    world.s = await startTestServer({ dialect: 'sqlite' });
    world.lan = await world.s.createUser({ role: 'volunteer', groups: ['TDP 5'] });
    world.minh = await world.s.createUser({ role: 'volunteer', groups: ['TDP 5'] });
  });
  afterAll(async () => {
    await world.s.close();
  });
  return world;
}

/** A new device (its own database and engine), signed in as `user`. */
export async function signedInDevice(s: TestServer, user: TestUser): Promise<Device> {
  const d = createDevice(s.url, user);
  await d.login(user.username, user.password);
  return d;
}
