/**
 * Tagged hosts-file lines (the lab's DNS replacement) run against a scratch
 * file: added and removed exactly, other lines untouched, lines of dead test
 * runners dropped, and a name mapped elsewhere refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mapHosts } from '../harness/hosts';

const ORIGINAL = '127.0.0.1 localhost\n# keep this comment\n::1 ip6-localhost\n';
let file: string;

beforeEach(() => {
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dxg-hosts-')), 'hosts');
  fs.writeFileSync(file, ORIGINAL);
});
afterEach(() => { fs.rmSync(path.dirname(file), { recursive: true, force: true }); });

describe('lab /etc/hosts mapping', () => {
  it('adds one tagged line per entry and remove() restores the file byte-exact', () => {
    const m = mapHosts([{ name: 'a.test', address: '127.0.30.9' }], file);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^127\.0\.30\.9 a\.test # dxg-lab owner=\d+:\d+$/m);
    m.remove();
    m.remove();
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('lets two handles map the same name to the same address; each removes only its own line', () => {
    const a = mapHosts([{ name: 'a.test', address: '127.0.30.9' }], file);
    const b = mapHosts([{ name: 'a.test', address: '127.0.30.9' }], file);
    a.remove();
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^127\.0\.30\.9 a\.test /m);
    b.remove();
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('refuses a name a live line maps to another address', () => {
    const a = mapHosts([{ name: 'a.test', address: '127.0.30.9' }], file);
    expect(() => mapHosts([{ name: 'A.test', address: '127.0.30.8' }], file)).toThrow(/a\.test/i);
    a.remove();
  });

  it('drops lines left by a test runner that no longer exists', () => {
    // pid 2^22+1 is above Linux's pid_max ceiling, so no live process has it.
    fs.appendFileSync(file, '127.0.30.7 a.test # dxg-lab owner=4194305:1\n');
    const m = mapHosts([{ name: 'a.test', address: '127.0.30.9' }], file);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('127.0.30.7');
    m.remove();
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });
});
