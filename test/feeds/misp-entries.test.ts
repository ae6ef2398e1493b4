import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeedParseError } from '../../src/errors.js';
import { readMisp } from '../../src/feeds/misp.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

const DOMAIN = { uuid: 'a1', type: 'domain', value: 'c2.evil-misp.top', to_ids: true };

function read(document: unknown): FeedReaderOutput {
  return readMisp(JSON.stringify(document), 'entries.json');
}

/** Checks that every item read is a record, a rejection or a drop. */
function assertReconciles(output: FeedReaderOutput): void {
  const dropped = Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(output.records.length + output.rejected + dropped, output.itemsRead);
}

function issueList(output: FeedReaderOutput): [string, string, string | undefined][] {
  return output.issues.map((issue) => [issue.code, issue.severity, issue.source?.id]);
}

describe('MISP entries that are not objects', () => {
  it('rejects each attribute entry with its index', () => {
    const output = read({ Event: { uuid: 'e1', Attribute: [[1], 42, 'x', null, DOMAIN] } });
    assert.equal(output.itemsRead, 5);
    assert.equal(output.rejected, 4);
    assert.equal(output.records.length, 1);
    assertReconciles(output);
    assert.deepEqual(issueList(output), [
      ['MISP_INVALID_ATTRIBUTE', 'error', 'e1'],
      ['MISP_INVALID_ATTRIBUTE', 'error', 'e1'],
      ['MISP_INVALID_ATTRIBUTE', 'error', 'e1'],
      ['MISP_INVALID_ATTRIBUTE', 'error', 'e1'],
    ]);
    const messages = output.issues.map((issue) => issue.message);
    assert.match(messages[0]!, /^Attribute\[0\] of event e1 is an array of 1 entry/);
    assert.match(messages[1]!, /^Attribute\[1\] of event e1 is the number 42/);
    assert.match(messages[2]!, /^Attribute\[2\] of event e1 is the string "x"/);
    assert.match(messages[3]!, /^Attribute\[3\] of event e1 is null, but an attribute object/);
  });

  it('names the event by id without uuid', () => {
    const output = read({ Event: { id: 17, Attribute: [5] } });
    assert.equal(output.rejected, 1);
    assert.equal(output.issues[0]?.source?.id, '17');
    assert.match(output.issues[0]?.message ?? '', /^Attribute\[0\] of event id 17 /);
  });

  it('names the event by path without ids', () => {
    const output = read([
      { Event: { info: 'a', Attribute: [DOMAIN] } },
      { Event: { Attribute: [5] } },
    ]);
    assert.equal(output.rejected, 1);
    assert.match(
      output.issues[0]?.message ?? '',
      /^Attribute\[0\] of the event at \$\[1\]\.Event /,
    );
  });

  it('rejects an attribute field that is no list', () => {
    const output = read({ Event: { uuid: 'e1', Attribute: 'x' } });
    assert.equal(output.itemsRead, 1);
    assert.equal(output.rejected, 1);
    assert.match(
      output.issues[0]?.message ?? '',
      /^Attribute of event e1 is the string "x", but a list of attribute objects was expected/,
    );
  });

  it('rejects object and object attribute entries', () => {
    const output = read({
      Event: {
        uuid: 'e1',
        Object: [
          7,
          { name: 'domain-ip', Attribute: [DOMAIN, 'y'] },
          { name: 'ip-port', Attribute: [false] },
        ],
      },
    });
    assert.equal(output.itemsRead, 4);
    assert.equal(output.rejected, 3);
    assert.equal(output.records.length, 1);
    assertReconciles(output);
    assert.deepEqual(
      output.issues.map((issue) => [issue.code, issue.severity]),
      [
        ['MISP_INVALID_OBJECT', 'error'],
        ['MISP_INVALID_ATTRIBUTE', 'error'],
        ['MISP_INVALID_ATTRIBUTE', 'error'],
      ],
    );
    assert.match(
      output.issues[0]?.message ?? '',
      /^Object\[0\] of event e1 is the number 7, but a MISP object/,
    );
    assert.match(output.issues[1]?.message ?? '', /^Object\[1\]\.Attribute\[1\] of event e1 /);
    assert.match(
      output.issues[2]?.message ?? '',
      /^Object\[2\]\.Attribute\[0\] of event e1 is the boolean false/,
    );
  });

  it('rejects event list entries', () => {
    const output = read([{ Event: { uuid: 'e1', Attribute: [DOMAIN] } }, 1, 'x', null]);
    assert.equal(output.itemsRead, 4);
    assert.equal(output.rejected, 3);
    assertReconciles(output);
    assert.deepEqual(issueList(output), [
      ['MISP_INVALID_EVENT', 'error', undefined],
      ['MISP_INVALID_EVENT', 'error', undefined],
      ['MISP_INVALID_EVENT', 'error', undefined],
    ]);
    assert.match(
      output.issues[0]?.message ?? '',
      /^\$\[1\] of the document is the number 1, but a MISP event/,
    );
  });

  it('rejects restSearch response entries', () => {
    const output = read({ response: [{ Event: { uuid: 'e1', Attribute: [DOMAIN] } }, [2]] });
    assert.equal(output.rejected, 1);
    assert.match(output.issues[0]?.message ?? '', /^\$\.response\[1\] of the document is an array/);
  });

  it('rejects restSearch attribute entries', () => {
    const output = read({ response: { Attribute: [DOMAIN, 3] } });
    assert.equal(output.itemsRead, 2);
    assert.equal(output.rejected, 1);
    assert.equal(output.records.length, 1);
    assert.equal(output.issues[0]?.code, 'MISP_INVALID_ATTRIBUTE');
  });

  it('keeps a list without events NOT_MISP', () => {
    assert.throws(
      () => read([1, 'x']),
      (error: unknown) => error instanceof FeedParseError && error.code === 'NOT_MISP',
    );
  });

  it('warns once for tag and galaxy entries', () => {
    const output = read({
      Event: {
        uuid: 'e1',
        Tag: [{ name: 'tlp:white' }, 9],
        Galaxy: ['g', { type: 'banker', GalaxyCluster: [null, { value: 'Qakbot' }] }],
        Object: [
          {
            name: 'ip-port',
            Tag: [[]],
            Attribute: [
              { uuid: 'a2', type: 'ip-dst', value: '198.51.100.7', to_ids: true, Tag: ['t'] },
              { type: 'port', object_relation: 'dst-port', value: '443' },
              { type: 'port', object_relation: 'dst-port', value: '8443' },
            ],
          },
        ],
      },
    });

    assert.equal(output.records.length, 2);
    assert.equal(output.rejected, 0);
    assertReconciles(output);

    assert.deepEqual(
      output.issues.map((issue) => [issue.code, issue.severity]),
      [
        ['MISP_INVALID_TAG', 'warning'],
        ['MISP_INVALID_GALAXY', 'warning'],
        ['MISP_INVALID_GALAXY', 'warning'],
        ['MISP_INVALID_TAG', 'warning'],
        ['MISP_INVALID_TAG', 'warning'],
      ],
    );

    const messages = output.issues.map((issue) => issue.message);
    assert.match(messages[0]!, /^Tag\[1\] of event e1 is the number 9, .* so it is ignored\.$/);
    assert.match(messages[1]!, /^Galaxy\[0\] of event e1 /);
    assert.match(messages[2]!, /^Galaxy\[1\]\.GalaxyCluster\[0\] of event e1 is null/);
    assert.match(messages[3]!, /^Object\[0\]\.Tag\[0\] of event e1 /);
    assert.match(messages[4]!, /^Object\[0\]\.Attribute\[0\]\.Tag\[0\] of event e1 /);
    assert.equal(output.records[0]?.context.family?.name, 'Qakbot');
  });
});

describe('MISP attribute rejections', () => {
  it('rejects a value that is no string', () => {
    const output = read({
      Event: {
        uuid: 'e1',
        Attribute: [
          { uuid: 'a1', type: 'domain', value: { host: 'x' }, to_ids: true },
          { uuid: 'a2', type: 'md5', value: null, to_ids: true },
          { uuid: 'a3', type: 'yara', value: { rule: 'x' }, to_ids: true },
        ],
      },
    });
    assert.equal(output.rejected, 2);
    assert.deepEqual(output.dropped, { 'unsupported-type': 1 });
    assertReconciles(output);
    assert.deepEqual(issueList(output).slice(0, 2), [
      ['MISP_INVALID_ATTRIBUTE', 'error', 'e1/a1'],
      ['MISP_INVALID_ATTRIBUTE', 'error', 'e1/a2'],
    ]);
    assert.match(
      output.issues[0]?.message ?? '',
      /type domain at Attribute\[0\] has value an object/,
    );
  });

  it('makes every rejection an error', () => {
    const output = read({
      Event: {
        uuid: 'e1',
        Attribute: [
          { uuid: 'a1', type: 'ip-dst|port', value: '198.51.100.1|8080\n| injected', to_ids: true },
          { uuid: 'a2', type: 'domain|ip', value: 'only-one-part.example', to_ids: true },
        ],
        Object: [
          {
            name: 'ip-port',
            Attribute: [
              { uuid: 'a3', type: 'ip-dst', value: '198.51.100.2', to_ids: true },
              { type: 'port', object_relation: 'dst-port', value: 'http' },
            ],
          },
        ],
      },
    });
    assert.equal(output.rejected, 3);
    const errors = output.issues.filter((issue) => issue.severity === 'error');
    assert.equal(errors.length, output.rejected);
    assert.ok(output.issues.every((issue) => issue.code === 'MISP_INVALID_ATTRIBUTE'));
  });

  it('shows a nested port without overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const text = `{"Event":{"uuid":"e1","Object":[{"name":"ip-port","Attribute":[{"uuid":"a1","type":"ip-dst","value":"198.51.100.1","to_ids":true},{"object_relation":"dst-port","value":${deep}}]}]}}`;
    const output = readMisp(text, 'deep.json');
    assert.equal(output.rejected, 1);
    assert.match(output.issues[0]?.message ?? '', /has a port that is an array of 1 entry/);
  });

  it('rejects a deeply nested attribute entry', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const output = readMisp(`{"Event":{"uuid":"e1","Attribute":[${deep}]}}`, 'deep.json');
    assert.equal(output.itemsRead, 1);
    assert.equal(output.rejected, 1);
  });
});
