import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { FileError, readDocumentWindow } from '../../src/cli/documentReader';
import { UsageError } from '../../src/cli/usageError';

describe('document reader', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'expert-activation-reader-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  const write = (name: string, content: string | Buffer): string => {
    const file = path.join(folder, name);
    writeFileSync(file, content);
    return file;
  };

  it('reads around an offset', () => {
    const file = write('plain.txt', 'abcdefghij');
    assert.deepEqual(readDocumentWindow(file, { offset: 4 }, 3, 2), { prefix: 'bcd', suffix: 'ef', offset: 4 });
    assert.deepEqual(readDocumentWindow(file, { offset: 10 }, 100, 5), { prefix: 'abcdefghij', suffix: '', offset: 10 });
  });

  it('counts offsets in UTF-16 code units', () => {
    const file = write('emoji.txt', 'a😀b');
    assert.deepEqual(readDocumentWindow(file, { offset: 3 }, 10, 10), { prefix: 'a😀', suffix: 'b', offset: 3 });
  });

  it('maps line and column like VS Code', () => {
    const file = write('lines.txt', 'first\r\nsecond line\r\nthird\n');
    assert.equal(readDocumentWindow(file, { line: 2, column: 7 }, 100, 5).prefix, 'first\r\nsecond');
    assert.equal(readDocumentWindow(file, { line: 2, column: 12 }, 100, 5).offset, 18);
    assert.equal(readDocumentWindow(file, { line: 4, column: 1 }, 100, 5).offset, 26);
    assert.throws(() => readDocumentWindow(file, { line: 2, column: 13 }, 100, 5), (error) => error instanceof UsageError && /Column 13 is past the end of line 2.*11 characters/.test(error.message));
    assert.throws(() => readDocumentWindow(file, { line: 9, column: 1 }, 100, 5), (error) => error instanceof UsageError && /Line 9 is past the end.*4 lines/.test(error.message));
  });

  it('rejects an offset past the end', () => {
    const file = write('short.txt', 'tiny');
    assert.throws(() => readDocumentWindow(file, { offset: 5 }, 10, 10), (error) => error instanceof UsageError && /Offset 5 is past the end of .*short\.txt, which has 4 characters/.test(error.message));
  });

  it('starts at the file start without a position', () => {
    const file = write('start.txt', 'x'.repeat(50));
    assert.equal(readDocumentWindow(file, 'start', 20, 5).prefix, 'x'.repeat(20));
    assert.equal(readDocumentWindow(file, 'start', 200, 5).prefix.length, 50);
  });

  it('rejects missing, folder and binary files', () => {
    assert.throws(() => readDocumentWindow(path.join(folder, 'nope.txt'), 'start', 10, 10), (error) => error instanceof FileError && /nope\.txt does not exist/.test(error.message));
    assert.throws(() => readDocumentWindow(folder, 'start', 10, 10), (error) => error instanceof FileError && /is a folder/.test(error.message));
    const nul = write('nul.bin', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x41]));
    assert.throws(() => readDocumentWindow(nul, 'start', 10, 10), (error) => error instanceof FileError && /binary.*NUL/.test(error.message));
    const noise = write('noise.bin', Buffer.from(Array.from({ length: 4000 }, (_, i) => [0x01, 0x02, 0xff, 0xfe, 0x41][i % 5])));
    assert.throws(() => readDocumentWindow(noise, 'start', 10, 10), (error) => error instanceof FileError && /binary.*not text/.test(error.message));
  });

  it('reads a huge file only near the position', () => {
    const file = path.join(folder, 'huge.txt');
    const fd = openSync(file, 'w');
    const line = `${'lorem ipsum dolor sit amet '.repeat(3)}\n`;
    for (let i = 0; i < 20_000; i += 1) writeSync(fd, `${i} ${line}`);
    closeSync(fd);

    const window = readDocumentWindow(file, { line: 15_001, column: 3 }, 300, 40);
    assert.equal(window.prefix.length, 300);
    assert.ok(window.prefix.endsWith('\n15'), JSON.stringify(window.prefix.slice(-20)));
    assert.ok(window.suffix.startsWith('000 lorem'), JSON.stringify(window.suffix));
    const byOffset = readDocumentWindow(file, { offset: window.offset }, 300, 40);
    assert.deepEqual(byOffset, window);
  });
});
