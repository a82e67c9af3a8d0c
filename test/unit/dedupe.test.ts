import type { IDataObject } from 'n8n-workflow';
import { ObservableObject, sleep } from 'n8n-workflow';

import {
	fingerprint,
	isDuplicateAndRecord,
	MAX_DEDUPE_MAX_ENTRIES,
	MAX_PROCESS_ENTRIES,
	processKeyOf,
	readStoredWindow,
} from '../../nodes/shared/dedupe';

const KEY = 'seen';
let scope = 0;
const freshProcessKey = () => processKeyOf(`wf-${++scope}`, 'node', KEY);
/** Each test acts as one trigger node in one process unless it names another processKey. */
let currentKey = freshProcessKey();
beforeEach(() => (currentKey = freshProcessKey()));
/** The fingerprints a stored window holds, oldest first. */
const storedIds = (value: unknown) => readStoredWindow(value).map(([id]) => id);
const opts = (extra: object = {}) => ({
	maxEntries: 1000,
	maxAgeSeconds: 3600,
	now: 1000,
	processKey: currentKey,
	...extra,
});

describe('duplicate window', () => {
	it('records an id once and recognises it after', () => {
		const data: IDataObject = {};
		expect(isDuplicateAndRecord(data, KEY, 'a', opts())).toBe(false);
		expect(isDuplicateAndRecord(data, KEY, 'a', opts())).toBe(true);
		expect(isDuplicateAndRecord(data, KEY, 'b', opts())).toBe(false);
		expect(readStoredWindow(data[KEY])).toEqual([
			[fingerprint('a'), 1000],
			[fingerprint('b'), 1000],
		]);
	});

	it('forgets ids older than the window and beyond its size', () => {
		const data: IDataObject = {};
		isDuplicateAndRecord(data, KEY, 'old', opts({ now: 0 }));
		expect(isDuplicateAndRecord(data, KEY, 'old', opts({ now: 3601 }))).toBe(false);
		const small = opts({ maxEntries: 2 });
		for (const id of ['x', 'y', 'z']) isDuplicateAndRecord(data, KEY, id, small);
		expect(storedIds(data[KEY])).toHaveLength(2);
		expect(isDuplicateAndRecord(data, KEY, 'x', small)).toBe(false);
	});

	it('caps the size whatever is configured, and stays under 20 bytes per id', () => {
		const data: IDataObject = {};
		for (let i = 0; i < MAX_DEDUPE_MAX_ENTRIES + 500; i++) {
			isDuplicateAndRecord(data, KEY, `id-${i}`, opts({ maxEntries: 1e9 }));
		}
		expect(storedIds(data[KEY])).toHaveLength(MAX_DEDUPE_MAX_ENTRIES);
		expect(JSON.stringify(data[KEY]).length / MAX_DEDUPE_MAX_ENTRIES).toBeLessThan(20);
	});

	it('keeps exactly the newest ids, in order, across the chunks it stores them in', () => {
		const data: IDataObject = {};
		const ids = Array.from({ length: 1000 }, (_, i) => `id-${i}`);
		ids.forEach((id, i) => isDuplicateAndRecord(data, KEY, id, opts({ maxEntries: 300, now: i })));
		expect(storedIds(data[KEY])).toEqual(ids.slice(700).map(fingerprint));
		// A process that only has static data knows the 300 newest and nothing older.
		const elsewhere = opts({ maxEntries: 300, now: 1000, processKey: freshProcessKey() });
		expect(isDuplicateAndRecord(data, KEY, 'id-700', elsewhere)).toBe(true);
		expect(isDuplicateAndRecord(data, KEY, 'id-999', elsewhere)).toBe(true);
		expect(isDuplicateAndRecord(data, KEY, 'id-699', elsewhere)).toBe(false);
	});

	it('recording an id rewrites only the newest chunk and the start of the oldest, never the window', () => {
		const data: IDataObject = {};
		const small = opts({ maxEntries: 1000 });
		for (let i = 0; i < 1500; i++) isDuplicateAndRecord(data, KEY, `id-${i}`, small);
		const before = (data[KEY] as { chunks: string[] }).chunks;
		isDuplicateAndRecord(data, KEY, 'one-more', small);
		const after = (data[KEY] as { chunks: string[] }).chunks;
		expect(after.length).toBeGreaterThan(5);
		// The chunks in between are unchanged; only the ends differ.
		expect(after.slice(1, -1)).toEqual(before.slice(1, -1));
		expect(after[0]).toBe(before[0].slice(19));
		expect(after.join('')).toBe(before.join('').slice(19) + fingerprint('one-more') + '00000rs');
		expect(storedIds(data[KEY])).toHaveLength(1000);
	});

	it('reads a corrupt state as empty rather than failing', () => {
		for (const corrupt of [
			null,
			'x',
			{ ids: ['a'], at: [] },
			{ ids: 'a', at: 1 },
			{ v: 2, chunks: ['not a record'] },
			{ v: 2, chunks: [7] },
			{ v: 2, chunks: 'x' },
		]) {
			const data: IDataObject = { [KEY]: corrupt as IDataObject };
			const processKey = freshProcessKey();
			expect(isDuplicateAndRecord(data, KEY, 'a', opts({ processKey }))).toBe(false);
		}
	});

	it('catches a duplicate whose record a concurrent call overwrote in static data (process window)', () => {
		const processKey = freshProcessKey();
		// Two concurrent calls load the same (empty) static data; n8n saves last-writer-wins, so
		// what ends up stored may lack 'first' altogether.
		isDuplicateAndRecord({}, KEY, 'first', opts({ processKey }));
		isDuplicateAndRecord({}, KEY, 'second', opts({ processKey }));
		const stored: IDataObject = {};
		expect(isDuplicateAndRecord(stored, KEY, 'first', opts({ processKey }))).toBe(true);
		expect(isDuplicateAndRecord(stored, KEY, 'second', opts({ processKey }))).toBe(true);
		// The next write holds everything, oldest first.
		isDuplicateAndRecord(stored, KEY, 'third', opts({ processKey, now: 1030 }));
		expect(storedIds(stored[KEY])).toEqual(['first', 'second', 'third'].map(fingerprint));
	});

	it('does not merge again an older state this process wrote itself, and merges one from elsewhere', () => {
		const processKey = freshProcessKey();
		const database: IDataObject = {};
		const saved: IDataObject[] = [];
		for (let i = 0; i < 50; i++) {
			isDuplicateAndRecord(database, KEY, `id-${i}`, opts({ processKey, now: 1000 + i }));
			saved.push(JSON.parse(JSON.stringify(database)) as IDataObject); // what n8n saved then
		}
		const latest = database[KEY];
		// Concurrent calls load a state saved a few calls ago: nothing in it is new to the process.
		expect(isDuplicateAndRecord(saved[40], KEY, 'id-45', opts({ processKey, now: 1100 }))).toBe(
			true,
		);
		// Not merged: the call writes back the window's stored form as it last wrote it, the very
		// same value; a merge rebuilds the window (a copy per call while calls overlap) and writes
		// a new one.
		expect(saved[40][KEY]).toBe(latest);
		expect(isDuplicateAndRecord(saved[30], KEY, 'id-new', opts({ processKey, now: 1100 }))).toBe(
			false,
		);
		// A state another process wrote is merged, and what it knows counts.
		const other: IDataObject = {};
		isDuplicateAndRecord(
			other,
			KEY,
			'elsewhere',
			opts({ processKey: freshProcessKey(), now: 1100 }),
		);
		const loaded = JSON.parse(JSON.stringify(other)) as IDataObject;
		expect(isDuplicateAndRecord(loaded, KEY, 'elsewhere', opts({ processKey, now: 1101 }))).toBe(
			true,
		);
		// Merged into the process window, beside its own ids: both known from memory alone.
		expect(isDuplicateAndRecord({}, KEY, 'elsewhere', opts({ processKey, now: 1102 }))).toBe(true);
		expect(isDuplicateAndRecord({}, KEY, 'id-49', opts({ processKey, now: 1102 }))).toBe(true);
	});

	it('still uses static data for what an earlier process recorded', () => {
		const data: IDataObject = {};
		isDuplicateAndRecord(data, KEY, 'before-restart', opts());
		expect(
			isDuplicateAndRecord(data, KEY, 'before-restart', opts({ processKey: freshProcessKey() })),
		).toBe(true);
	});

	it('keeps windows of different workflows apart', () => {
		const [a, b] = [freshProcessKey(), freshProcessKey()];
		isDuplicateAndRecord({}, KEY, 'same-id', opts({ processKey: a }));
		expect(isDuplicateAndRecord({}, KEY, 'same-id', opts({ processKey: b }))).toBe(false);
		expect(isDuplicateAndRecord({}, KEY, 'same-id', opts({ processKey: a }))).toBe(true);
	});

	it('writes every new id to static data at once: another process sees it on its next call', () => {
		// Two queue-mode webhook processors: separate process windows, one workflow static data.
		const [processorA, processorB] = [freshProcessKey(), freshProcessKey()];
		const database: IDataObject = {};
		for (const [i, id] of ['a', 'b', 'c'].entries()) {
			expect(
				isDuplicateAndRecord(database, KEY, id, opts({ processKey: processorA, now: 1000 + i })),
			).toBe(false);
		}
		expect(storedIds(database[KEY])).toEqual(['a', 'b', 'c'].map(fingerprint));
		for (const id of ['a', 'b', 'c']) {
			expect(
				isDuplicateAndRecord(database, KEY, id, opts({ processKey: processorB, now: 1300 })),
			).toBe(true);
		}
	});

	it('two processes that load the same state before either writes both let the id through', () => {
		// What "at once" means across webhook processors: documented, not fixable in static data.
		const [processorA, processorB] = [freshProcessKey(), freshProcessKey()];
		const loadedByA: IDataObject = {};
		const loadedByB: IDataObject = {};
		expect(isDuplicateAndRecord(loadedByA, KEY, 'same', opts({ processKey: processorA }))).toBe(
			false,
		);
		expect(isDuplicateAndRecord(loadedByB, KEY, 'same', opts({ processKey: processorB }))).toBe(
			false,
		);
	});

	it('does not rewrite static data for a duplicate that changes nothing', () => {
		const data: IDataObject = {};
		isDuplicateAndRecord(data, KEY, 'a', opts());
		const before = data[KEY];
		isDuplicateAndRecord(data, KEY, 'a', opts());
		expect(data[KEY]).toBe(before);
	});

	it('an entry stamped in the future (clock stepped back) does not hold off age-based expiry', () => {
		const data: IDataObject = {};
		const hour = opts({ maxAgeSeconds: 3600 });
		isDuplicateAndRecord(data, KEY, 'from-the-future', { ...hour, now: 1_000_000 });
		isDuplicateAndRecord(data, KEY, 'after-the-step', { ...hour, now: 1000 });
		// Both are older than an hour by the clock as it now runs: both forgotten.
		expect(isDuplicateAndRecord(data, KEY, 'after-the-step', { ...hour, now: 4700 })).toBe(false);
		expect(isDuplicateAndRecord(data, KEY, 'from-the-future', { ...hour, now: 4700 })).toBe(false);
	});

	it('loads a window stored by an earlier version and stores it again in the compact form', () => {
		const data: IDataObject = {
			[KEY]: { ids: [fingerprint('x'), fingerprint('y')], at: [900, 950] },
		};
		expect(isDuplicateAndRecord(data, KEY, 'y', opts())).toBe(true);
		expect(isDuplicateAndRecord(data, KEY, 'z', opts())).toBe(false);
		expect(data[KEY]).toEqual({ v: 2, chunks: [expect.any(String)] });
		expect(readStoredWindow(data[KEY])).toEqual([
			[fingerprint('x'), 900],
			[fingerprint('y'), 950],
			[fingerprint('z'), 1000],
		]);
		// Another process reading the new form knows all three.
		for (const id of ['x', 'y', 'z']) {
			expect(isDuplicateAndRecord(data, KEY, id, opts({ processKey: freshProcessKey() }))).toBe(
				true,
			);
		}
	});

	it('a future entry in static data from another process is re-dated too', () => {
		const data: IDataObject = {
			[KEY]: { ids: [fingerprint('x'), fingerprint('y')], at: [9_999_999, 1000] },
		};
		const hour = opts({ maxAgeSeconds: 3600 });
		expect(isDuplicateAndRecord(data, KEY, 'y', { ...hour, now: 1000 })).toBe(true);
		expect(isDuplicateAndRecord(data, KEY, 'y', { ...hour, now: 4700 })).toBe(false);
	});

	it('all process windows together stay within a total bound; the latest ones are kept', () => {
		const windows = Math.ceil(MAX_PROCESS_ENTRIES / 1000) + 10;
		const keys = Array.from({ length: windows }, () => freshProcessKey());
		for (const processKey of keys) {
			const data: IDataObject = {};
			for (let i = 0; i < 1000; i++)
				isDuplicateAndRecord(data, KEY, `id-${i}`, opts({ processKey }));
		}
		// Which windows still know their ids from memory alone (empty static data), newest first. A
		// window is kept or forgotten whole, least recently used first; a probe of a kept window adds
		// no entry, so it pushes no other window out. Stop at the first forgotten one.
		let kept = 0;
		const knows = (processKey: string) =>
			isDuplicateAndRecord({}, KEY, 'id-999', opts({ processKey }));
		while (kept < windows && knows(keys[windows - 1 - kept])) kept++;
		expect(kept).toBeGreaterThan(0);
		expect(kept).toBeLessThan(windows);
		expect(kept * 1000).toBeLessThanOrEqual(MAX_PROCESS_ENTRIES);
		// The oldest window's ids are new to a call that has only memory to go by.
		expect(isDuplicateAndRecord({}, KEY, 'id-0', opts({ processKey: keys[0] }))).toBe(false);
	});
});

describe('saving the window when a call starts an execution', () => {
	type Root = IDataObject & { __dataChanged: boolean };
	/**
	 * One webhook call as n8n 2.40 makes it: its own copy of static data, an observable object the
	 * node's write marks changed; the execution's preparation then clears the mark.
	 */
	const callWith = (id: string, processKey: string, extra: object = {}): Root => {
		const root = ObservableObject.create({}) as Root;
		const nodeData = ObservableObject.create({}, root) as IDataObject;
		root.node = nodeData;
		isDuplicateAndRecord(nodeData, KEY, id, opts({ now: undefined, processKey, ...extra }));
		root.__dataChanged = false; // n8n prepares the execution
		return root;
	};
	/** Waits (real time) until the call's static data is marked changed again. */
	const markedAgain = async (root: Root) => {
		for (let waited = 0; !root.__dataChanged && waited < 10_000; waited += 5) await sleep(5);
		expect(root.__dataChanged).toBe(true);
	};

	it('marks static data changed again after n8n has cleared the mark, so its save includes the window', async () => {
		const root = ObservableObject.create({}) as Root;
		const nodeData = ObservableObject.create({}, root) as IDataObject;
		root.node = nodeData;
		root.__dataChanged = false;
		isDuplicateAndRecord(nodeData, KEY, 'fresh-id', opts({ now: undefined }));
		expect(root.__dataChanged).toBe(true);
		root.__dataChanged = false; // n8n prepares the execution
		// n8n's save after recording the execution writes the window once it is marked again.
		await markedAgain(root);
		expect(storedIds(nodeData[KEY])).toContain(fingerprint('fresh-id'));
	});

	it('marks a call arriving while an earlier call still waits for its last mark within its own first moments', async () => {
		const processKey = freshProcessKey();
		callWith('earlier', processKey);
		await sleep(700); // the earlier call's next mark is due at 1.5 s
		const later = callWith('later', processKey);
		// n8n saves about when it has recorded the execution: tens of milliseconds, not a second.
		await sleep(150);
		expect(later.__dataChanged).toBe(true);
	});

	it('asks for that on every new id (each call saves only its own copy), never for a duplicate', async () => {
		const processKey = freshProcessKey();
		const first = callWith('first', processKey);
		const duplicate = callWith('first', processKey);
		const second = callWith('second', processKey);
		await markedAgain(second);
		expect(first.__dataChanged).toBe(true);
		// Its first moment came before the later call's: had it been asked for, it would be marked.
		expect(duplicate.__dataChanged).toBe(false);
	});

	it('asks for nothing when the trigger is told not to remember across restarts', async () => {
		const fast = callWith('fast', freshProcessKey(), { keepAcrossRestarts: false });
		await markedAgain(callWith('kept', freshProcessKey()));
		expect(fast.__dataChanged).toBe(false);
	});
});
