// SPDX-License-Identifier: MIT
// The HTML report's renderer. The summary and the group headings are drawn
// at load; an anomaly's lanes and pages only when its group is opened, so a
// report of thousands of anomalies loads at once. Every string of the data
// goes in through textContent, never as markup. "#open=all" or "#open=0,3"
// in the address opens groups at load; "#open=0&select=5" also shows call 5;
// "#filter=WORDS" fills the group filter, "#sort=largest" puts the largest
// groups first, "#axis=order" draws lanes in order of events first.
(function () {
	'use strict';
	var D = JSON.parse(document.getElementById('tw-data').textContent);
	var app = document.getElementById('app');
	var GROUPS_AT_ONCE = 200;	// headings drawn before "show more"
	var SHOWN = 3;			// anomalies of a group drawn when opened, as the text does
	var MORE = 50;
	var ROW_H = 20;			// px, a row of calls in a lane
	var MIN_W = 0.005;		// of the track: the narrowest box, for packing
	var T0 = BigInt(D.t0);
	var BY_ORDER = /axis=order/.test(location.hash);	// the lanes' first axis

	function el(tag, cls, text) {
		var e = document.createElement(tag);

		if (cls) {
			e.className = cls;
		}
		if (text !== undefined && text !== null) {
			e.textContent = String(text);
		}
		return e;
	}

	function add(parent, tag, cls, text) {
		return parent.appendChild(el(tag, cls, text));
	}

	function pad(n, w) {
		var s = String(n);

		while (s.length < w) {
			s = '0' + s;
		}
		return s;
	}

	// ns since t0 -> HH:MM:SS.nnnnnnnnn in the text report's zone (UTC).
	function ts(rel) {
		var ns = T0 + BigInt(Math.round(rel));
		var sec = ns / 1000000000n, frac = ns % 1000000000n;
		var d = new Date(Number(sec) * 1000);

		return pad(d.getUTCHours(), 2) + ':' + pad(d.getUTCMinutes(), 2) + ':' +
			pad(d.getUTCSeconds(), 2) + '.' + pad(frac, 9);
	}

	function dur(ns) {
		if (ns < 1000) {
			return ns + ' ns';
		}
		if (ns < 1e6) {
			return (ns / 1e3).toFixed(3) + ' µs';
		}
		if (ns < 1e9) {
			return (ns / 1e6).toFixed(3) + ' ms';
		}
		return (ns / 1e9).toFixed(3) + ' s';
	}

	function fileName(i) {
		return i >= 0 && i < D.files.length ? D.files[i] : '?';
	}

	function kinds(k) {
		return Object.keys(k).map(function (n) { return n + ' ×' + k[n]; }).join(', ');
	}

	function ranges(rs) {
		return rs.map(function (g) {
			return (g[0] === g[1] ? 'page ' + g[0] : 'pages ' + g[0] + '–' + g[1]) + ' ' + g[2];
		}).join('; ');
	}

	function tally(parent, title, head, rows) {
		var t, tr, box = add(parent, 'div');

		add(box, 'h2', null, title);
		t = add(box, 'table', 'tally');
		tr = add(t, 'tr');
		head.forEach(function (h) { add(tr, 'th', null, h); });
		rows.forEach(function (r) {
			tr = add(t, 'tr');
			r.forEach(function (v, i) {
				add(tr, 'td', typeof v === 'number' || i === 1 ? 'count' : null, v);
			});
		});
		return t;
	}

	function summary() {
		var c = D.counts, s = el('section'), ul, p;

		s.id = 'summary';
		add(s, 'h1', null, 'tornwatch report');
		add(s, 'p', 'headline', D.head[0]);
		if (D.head.length > 1) {
			ul = add(s, 'ul', 'notes');
			D.head.slice(1).forEach(function (line) {
				add(ul, 'li', /^blind spot/.test(line) ? 'blind' : 'note', line);
			});
		}
		p = add(s, 'p', 'meta');
		p.textContent = 'trace: ' + D.trace.join(', ') +
			(D.command ? ' · command: ' + D.command.join(' ') : '') +
			' · tornwatch ' + D.version + ' · times in ' + D.zone;
		p = add(s, 'p');
		p.appendChild(document.createTextNode('summary: '));
		var n = add(p, 'b', null, c.anomalies);
		n.id = 'tw-count';
		p.appendChild(document.createTextNode(' anomal' + (c.anomalies === 1 ? 'y' : 'ies') + ' in ' +
			c.groups + ' group' + (c.groups === 1 ? '' : 's') + ' (same kind, file and calls); ' +
			c.events + ' events from ' + c.processes + ' process' + (c.processes === 1 ? '' : 'es') + ', ' + c.calls + ' calls, ' +
			c.reads_checked + ' reads checked, ' + c.lost_events + ' events lost, ' +
			c.lost_packets + ' packets lost'));
		if (c.anomalies) {
			var ts_ = add(s, 'div', 'tallies');

			tally(ts_, 'by kind', ['kind', 'count'], D.by_kind).id = 'by-kind';
			tally(ts_, 'by process', ['pid', 'count', 'kinds'],
				D.by_process.map(function (p) { return ['pid ' + p[0], p[1], kinds(p[2])]; }));
			tally(ts_, 'by file', ['file', 'count', 'kinds', 'pages other than new'],
				D.by_file.map(function (f) {
					return [f.file, f.count, kinds(f.kinds), ranges(f.ranges)];
				}));
		}
		return s;
	}

	function legend(parent) {
		var l = add(parent, 'div', 'legend');

		['new', 'old', 'unknown', 'undecided', 'changed', 'not_read', 'released'].forEach(function (st) {
			var span = add(l, 'span');

			add(span, 'span', 'swatch ' + st);
			span.appendChild(document.createTextNode(st));
		});
		add(l, 'span', null, 'dashed: part of a page');
	}

	var VERBS = { sync_race: 'synced', incoherent_view: 'loaded', phantom_write: 'submitted',
		abandoned_io: 'submitted', buffer_modified: 'submitted' };

	function pagesGrid(parent, a) {
		var g = add(parent, 'div', 'pages'), ps = D.page_size;

		a.pages.forEach(function (p) {
			var full = p[1] === p[0] * ps && p[2] === ps;
			var c = add(g, 'span', 'page ' + p[3] + (full ? '' : ' part'));

			c.dataset.index = p[0];
			c.dataset.state = p[3];
			c.title = 'page ' + p[0] + ': bytes ' + p[1] + '..' + (p[1] + p[2] - 1) +
				' (' + p[2] + ' B) ' + p[3];
		});
		return g;
	}

	// Where time t falls, 0..1: by time, or by rank among the calls' own
	// begins and ends (a long msync then no longer hides short calls).
	function scaler(a, byOrder) {
		var lo = Infinity, hi = -Infinity, marks = [], rank = new Map();

		a.calls.forEach(function (ci) {
			var c = D.calls_table[ci];

			lo = Math.min(lo, c.b);
			hi = Math.max(hi, c.e === null ? c.b : c.e);
			marks.push(c.b);
			if (c.e !== null) {
				marks.push(c.e);
			}
		});
		if (!byOrder) {
			return { lo: lo, hi: hi, at: function (t) { return (t - lo) / Math.max(hi - lo, 1); } };
		}
		marks.sort(function (x, y) { return x - y; });
		marks.forEach(function (t) {
			if (!rank.has(t)) {
				rank.set(t, rank.size);
			}
		});
		return { lo: lo, hi: hi, at: function (t) { return rank.get(t) / Math.max(rank.size - 1, 1); } };
	}

	function lanes(parent, a, byOrder) {
		var box = add(parent, 'div', 'lanes'), order = [], byKey = {};
		var sc = scaler(a, byOrder), hi = sc.hi, ax;

		a.calls.forEach(function (ci) {
			var c = D.calls_table[ci], k = c.pid + '/' + c.tid;

			if (!byKey[k]) {
				byKey[k] = [];
				order.push(k);
			}
			byKey[k].push(ci);
		});
		if (!order.length) {
			return box;
		}
		order.forEach(function (k) {
			var lane = add(box, 'div', 'lane'), c0 = D.calls_table[byKey[k][0]], track;

			lane.dataset.pid = c0.pid;
			lane.dataset.tid = c0.tid;
			add(lane, 'div', 'lane-label mono', 'pid ' + c0.pid + ' tid ' + c0.tid);
			track = add(lane, 'div', 'track');
			// Calls that overlap (an async I/O and the notes inside it) go
			// on rows of their own within the lane.
			var rows = [];
			byKey[k].forEach(function (ci) {
				// A note is an instant; a call never seen to return runs to the end.
				var c = D.calls_table[ci], end = c.e !== null ? c.e : c.phase ? c.b : hi;
				var b = add(track, 'div', 'call op-' + c.op, c.call);
				var x0 = sc.at(c.b), x1 = Math.max(sc.at(end), x0 + MIN_W), row = 0;

				while (row < rows.length && rows[row] > x0) {
					row++;
				}
				rows[row] = x1;
				b.style.top = (3 + row * ROW_H) + 'px';

				b.dataset.call = ci;
				if (c.e === null && !c.phase) {
					b.classList.add('open');
				}
				if (ci === a.call) {
					b.classList.add('cited');
				}
				if (x0 > 1 - MIN_W) {
					b.style.right = '0';	// the last instant: inside the track
				} else {
					b.style.left = (x0 * 100) + '%';
				}
				b.style.width = ((sc.at(end) - x0) * 100) + '%';
			});
			lane.style.height = (rows.length * ROW_H + 6) + 'px';
		});
		ax = add(box, 'div', 'axis mono');
		add(ax, 'span', null, ts(sc.lo));
		add(ax, 'span', null, byOrder ? 'in order of begins and ends' : '+' + dur((hi - sc.lo) / 2));
		add(ax, 'span', null, '+' + dur(hi - sc.lo));
		return box;
	}

	function anomaly(i) {
		var a = D.anomalies[i], c = D.calls_table[a.call], d = el('div', 'anomaly'), h, line;
		var verb = VERBS[a.kind] || (c.engine && a.kind === 'short_read' ? 'submitted' : 'read');

		d.dataset.anomaly = i;
		h = add(d, 'h3');
		h.appendChild(document.createTextNode(a.kind));
		if (a.uncertain) {
			add(h, 'span', 'uncertain', ' (uncertain: events were lost)');
		}
		h.appendChild(document.createTextNode(': ' + fileName(a.file) + ' bytes ' + a.offset + '..' +
			(a.offset + a.length - 1) + ' (' + a.length + ' B)'));
		line = verb + ' by pid ' + c.pid + ' tid ' + c.tid + ' (' + c.call + ') at ' + ts(c.b) + ':';
		Object.keys(a.bytes).forEach(function (st) { line += ' ' + a.bytes[st] + ' B ' + st; });
		add(d, 'div', 'line', line);
		if (c.engine) {
			add(d, 'div', 'line', c.engine + ' ' + c.opcode + ' id ' + c.io + ': ' + c.length + ' B at ' +
				c.offset + '; ' + (c.e === null ? 'completion never seen' :
					'completed with ' + c.ret + ' (seen by ' + c.done_call + ')'));
		}
		if (a.history_cut) {
			add(d, 'div', 'line', '(the unknown bytes may be an old content of a block rewritten so ' +
				'often that not all were kept)');
		}
		if (a.untracked) {
			add(d, 'div', 'line', 'pages changed while the sync ran with no hooked store to explain it');
		}
		if (a.pages.length) {
			add(d, 'div', 'line', 'pages:');
			pagesGrid(d, a);
		}
		line = add(d, 'div', 'line', 'interleaving (click a call for its details) ');
		var sw = add(line, 'button', 'scale', BY_ORDER ? 'axis: in order' : 'axis: by time');
		var ln = lanes(d, a, BY_ORDER);

		sw.onclick = function () {
			var byOrder = sw.textContent === 'axis: by time';

			sw.textContent = byOrder ? 'axis: in order' : 'axis: by time';
			ln.replaceWith(ln = lanes(el('div'), a, byOrder));
		};
		add(d, 'div', 'detail');
		return d;
	}

	function callTable(ci) {
		var c = D.calls_table[ci], t = el('table'), rows = [];

		rows.push(['call', c.call + (c.done_call ? ' (completion seen by ' + c.done_call + ')' : '')]);
		rows.push(['op', c.op + (c.phase ? ' (' + c.phase + ')' : '')]);
		rows.push(['pid / tid', c.pid + ' / ' + c.tid]);
		rows.push(['file', fileName(c.file)]);
		rows.push(['offset', c.offset]);
		rows.push(['length', c.length]);
		rows.push(['return', c.ret === null ? (c.phase ? '—' : 'never seen') : c.ret]);
		rows.push(['errno', c.errno ? c.errno + (c.errname ? ' (' + c.errname + ')' : '') : '0']);
		rows.push(['begin', ts(c.b)]);
		if (c.e !== null) {
			rows.push(['end', ts(c.e) + ' (' + dur(c.e - c.b) + ')']);
		}
		if (c.engine) {
			rows.push(['I/O', c.engine + ' ' + c.opcode + ' id ' + c.io]);
		} else if (c.io) {
			rows.push(['I/O', c.io]);
		}
		if (c.addr) {
			rows.push(['address', c.addr]);
		}
		if (c.in_flight !== undefined) {
			rows.push(['in flight', c.in_flight + (c.missed ? ', ' + c.missed + ' missed' : '')]);
		}
		rows.push(['stack', c.stack.length ? c.stack.map(function (f) {
			return (f.function || '?') + (f.file ? ' at ' + f.file + ':' + f.line : '') +
				(f.binary ? ' (' + f.binary + (f.address ? ' ' + f.address : '') + ')' : '');
		}).join('\n') : 'not recorded']);
		rows.forEach(function (r) {
			var tr = add(t, 'tr'), v;

			add(tr, 'td', null, r[0]);
			v = add(tr, 'td', 'mono', r[1]);
			if (r[0] === 'stack' || r[0] === 'file') {
				tr.className = 'wide';
				v.style.whiteSpace = 'pre-wrap';
			}
		});
		return t;
	}

	function renderMembers(body, g, from, to) {
		var more = body.querySelector('button.more');

		if (more) {
			more.remove();
		}
		for (var k = from; k < to && k < g.members.length; k++) {
			body.appendChild(anomaly(g.members[k]));
		}
		body.dataset.shown = Math.min(to, g.members.length);
		if (to < g.members.length) {
			more = add(body, 'button', 'more', 'show ' + Math.min(MORE, g.members.length - to) +
				' more of ' + (g.members.length - to) + ' left');
			more.onclick = function () { renderMembers(body, g, to, to + MORE); };
		}
	}

	function toggle(div, gi) {
		var g = D.groups[gi], body = div.querySelector('.gb');

		if (!body) {
			body = add(div, 'div', 'gb');
			legend(body);
			renderMembers(body, g, 0, SHOWN);
		} else {
			body.hidden = !body.hidden;
		}
		div.classList.toggle('open', !body.hidden);
	}

	function groupHead(gi) {
		var g = D.groups[gi], div = el('div', 'group'), h = add(div, 'div', 'gh');

		div.dataset.group = gi;
		add(h, 'span', 'gn', '×' + g.count);
		add(h, 'span', 'gk', g.kind);
		add(h, 'span', 'mono', g.file);
		add(h, 'span', 'gc', g.calls).title = g.calls;
		add(h, 'span', 'gt', ts(g.b) + ' – ' + ts(g.e) + ', ' + g.processes + ' process' +
			(g.processes === 1 ? '' : 'es'));
		h.onclick = function () { toggle(div, gi); };
		return div;
	}

	// The headings of groups idx[from..], GROUPS_AT_ONCE at a time.
	function groupList(list, idx, from) {
		var to = Math.min(from + GROUPS_AT_ONCE, idx.length), b, frag = document.createDocumentFragment();

		for (var k = from; k < to; k++) {
			frag.appendChild(groupHead(idx[k]));
		}
		list.appendChild(frag);
		if (to < idx.length) {
			b = add(list, 'button', 'more', 'show ' + Math.min(GROUPS_AT_ONCE, idx.length - to) +
				' more groups of ' + (idx.length - to) + ' left');
			b.onclick = function () { b.remove(); groupList(list, idx, to); };
		}
	}

	// Groups whose kind, file or calls contain every word of q; largest
	// first when asked, else in the order of their first anomaly.
	function filterGroups(list, q, count, largest) {
		var words = q.toLowerCase().split(/\s+/).filter(Boolean), idx = [];

		D.groups.forEach(function (g, gi) {
			var hay = (g.kind + ' ' + g.file + ' ' + g.calls).toLowerCase();

			if (words.every(function (w) { return hay.indexOf(w) >= 0; })) {
				idx.push(gi);
			}
		});
		if (largest) {
			idx.sort(function (x, y) { return D.groups[y].count - D.groups[x].count || x - y; });
		}
		list.textContent = '';
		count.textContent = idx.length + ' of ' + D.groups.length + ' groups';
		groupList(list, idx, 0);
	}

	var tip = el('div');
	tip.id = 'tip';
	document.body.appendChild(tip);
	app.textContent = '';
	app.appendChild(summary());
	var fm = /filter=([^&]*)/.exec(location.hash);
	if (D.groups.length) {
		add(app, 'h2', null, 'anomalies by group (click a group to draw its anomalies)');
		var bar = add(app, 'div', 'filter'), q = add(bar, 'input'), order = add(bar, 'select');
		var count = add(bar, 'span'), list = add(app, 'div'), timer = null;
		var redraw = function () { filterGroups(list, q.value, count, order.value === 'largest'); };

		add(order, 'option', null, 'in order of their first anomaly').value = 'first';
		add(order, 'option', null, 'largest first').value = 'largest';
		order.value = /sort=largest/.test(location.hash) ? 'largest' : 'first';
		order.onchange = redraw;

		q.type = 'search';
		q.placeholder = 'filter groups: kind, file, calls';
		q.value = fm ? decodeURIComponent(fm[1]) : '';
		list.id = 'groups';
		q.oninput = function () {
			clearTimeout(timer);
			timer = setTimeout(redraw, 150);
		};
		redraw();
	}

	app.addEventListener('mouseover', function (ev) {
		var b = ev.target.closest('.call');

		if (!b) {
			return;
		}
		tip.textContent = '';
		tip.appendChild(callTable(+b.dataset.call));
		tip.style.display = 'block';
	});
	app.addEventListener('mousemove', function (ev) {
		if (tip.style.display === 'block') {
			tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 470) + 'px';
			tip.style.top = (ev.clientY + 14) + 'px';
		}
	});
	app.addEventListener('mouseout', function (ev) {
		if (ev.target.closest('.call')) {
			tip.style.display = 'none';
		}
	});
	app.addEventListener('click', function (ev) {
		var b = ev.target.closest('.call'), card, det, old;

		if (!b) {
			return;
		}
		card = b.closest('.anomaly');
		det = card.querySelector('.detail');
		old = card.querySelector('.call.sel');
		if (old) {
			old.classList.remove('sel');
		}
		b.classList.add('sel');
		det.textContent = '';
		det.appendChild(callTable(+b.dataset.call));
	});

	var m = /open=([0-9,]+|all)/.exec(location.hash);
	if (m) {
		var want = m[1] === 'all' ? D.groups.map(function (g, i) { return i; }) : m[1].split(',').map(Number);

		want.forEach(function (gi) {
			var div = document.querySelector('.group[data-group="' + gi + '"]');

			if (div) {
				toggle(div, gi);
			}
		});
	}
	// "#select=N": call N of the calls table shown in the first card citing it.
	m = /select=([0-9]+)/.exec(location.hash);
	if (m) {
		var b = document.querySelector('.call[data-call="' + m[1] + '"]');

		if (b) {
			b.click();
		}
	}
	var ready = el('div');
	ready.id = 'tw-ready';
	ready.hidden = true;
	ready.dataset.ms = performance.now().toFixed(1);
	document.body.appendChild(ready);
}());
