// SPDX-License-Identifier: GPL-2.0
/*
 * Flame graph SVG writer; see report-flamegraph.h.
 *
 * Both sources become one tree of frames (struct fg_tree), which one
 * writer lays out: the root ("all") at the bottom, callees or finer
 * levels above, siblings in name order, each frame's x and width its
 * range of the root's value.  Every frame carries that range (data-x,
 * data-w, in the source's unit) and its depth (data-d), so that the
 * script can zoom without knowing the tree.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"
#include "util/report-flamegraph.h"

#define FG_WIDTH	1200	/* pixels */
#define FG_PAD		10	/* left and right margin */
#define FG_FRAME_H	16	/* one level */
#define FG_TOP		60	/* title, subtitle, buttons */
#define FG_BOTTOM	30	/* the details line */
#define FG_FONT		12	/* monospace, px */
#define FG_CHAR_W	7.2	/* its advance: 0.6 em */
#define FG_MIN_W	0.1	/* narrower frames are not drawn */

/* the script and style use the same numbers */
#define FG_STR_(x)	#x
#define FG_STR(x)	FG_STR_(x)

enum fg_kind {
	FG_ROOT,
	FG_KERNEL,	/* vmlinux */
	FG_MODULE,	/* a module's code */
	FG_UNKNOWN,	/* no symbol */
};

struct fg_frame {
	char *name;
	uint64_t value;		/* inclusive: the frame and all above it */
	uint64_t calls;		/* calltrace: calls of this path */
	uint64_t self;		/* calltrace: self time */
	uint32_t first_child, next_sibling;
	uint8_t kind;		/* enum fg_kind */
};

struct fg_tree {
	struct fg_frame *f;	/* [0]: the root */
	size_t n, cap;
	bool calls;		/* calltrace: time in ns, calls, self */
	bool by_value;		/* siblings widest first, not by name */
	const char *title, *unit, *subtitle;
	char warning[256];	/* "" or a line in red under the title */
};

#define FG_NONE UINT32_MAX

static int64_t fg_add(struct fg_tree *t, uint32_t parent, const char *name,
		      enum fg_kind kind)
{
	struct fg_frame *fr;

	if (GROW(t->f, t->cap, t->n + 1, 256))
		return -ENOMEM;
	fr = &t->f[t->n];
	memset(fr, 0, sizeof(*fr));
	fr->name = strdup(name);
	if (!fr->name)
		return -ENOMEM;
	fr->kind = kind;
	fr->first_child = FG_NONE;
	fr->next_sibling = FG_NONE;
	if (parent != FG_NONE) {
		fr->next_sibling = t->f[parent].first_child;
		t->f[parent].first_child = (uint32_t)t->n;
	}
	return (int64_t)t->n++;
}

static void fg_free(struct fg_tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->f[i].name);
	free(t->f);
}

/* ---- output helpers ------------------------------------------------------ */

/*
 * Text and attribute values: markup characters as entities, control
 * characters dropped, bytes above 0x7f as character references (kernel
 * names are not promised to be UTF-8; the file must stay well-formed).
 */
static void xml_escape(FILE *fp, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '&':
			fputs("&amp;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&apos;", fp);
			break;
		default:
			if (c >= 0x80)
				fprintf(fp, "&#x%x;", c);
			else if (c >= 0x20)
				fputc(c, fp);
			break;
		}
	}
}

/* 1234567 -> "1,234,567" */
static const char *thousands(char *buf, size_t len, uint64_t v)
{
	char digits[32];
	size_t n, i, o = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, v);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A stable colour per name: warm for vmlinux, aqua for modules, grey. */
static void frame_colour(char *buf, size_t len, const struct fg_frame *fr)
{
	uint32_t h = name_hash(fr->name);
	unsigned int a = h % 256, b = (h >> 8) % 256;

	switch (fr->kind) {
	case FG_ROOT:
		snprintf(buf, len, "rgb(200,200,200)");
		break;
	case FG_MODULE:
		snprintf(buf, len, "rgb(%u,%u,%u)", 60 + a * 60 / 255,
			 170 + b * 50 / 255, 170 + b * 50 / 255);
		break;
	case FG_UNKNOWN:
		snprintf(buf, len, "rgb(%u,%u,%u)", 170 + a * 40 / 255,
			 170 + a * 40 / 255, 170 + a * 40 / 255);
		break;
	default:
		snprintf(buf, len, "rgb(%u,%u,%u)", 205 + a * 50 / 255,
			 b * 230 / 255, a * 55 / 255);
		break;
	}
}

/* ---- layout -------------------------------------------------------------- */

static const struct fg_tree *sort_tree;

static int cmp_frame(const void *a, const void *b)
{
	const struct fg_frame *x = &sort_tree->f[*(const uint32_t *)a];
	const struct fg_frame *y = &sort_tree->f[*(const uint32_t *)b];

	if (sort_tree->by_value && x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The children of @n in order; NULL (and 0) when none or no memory. */
static uint32_t *sorted_children(const struct fg_tree *t, uint32_t n,
				 size_t *nr)
{
	uint32_t c, *a;
	size_t k = 0;

	*nr = 0;
	for (c = t->f[n].first_child; c != FG_NONE; c = t->f[c].next_sibling)
		k++;
	if (!k)
		return NULL;
	a = malloc(k * sizeof(*a));
	if (!a)
		return NULL;
	k = 0;
	for (c = t->f[n].first_child; c != FG_NONE; c = t->f[c].next_sibling)
		a[k++] = c;
	sort_tree = t;
	qsort(a, k, sizeof(*a), cmp_frame);
	*nr = k;
	return a;
}

struct fg_out {
	FILE *fp;
	struct fg_tree *t;	/* layout() cuts children wider than parents */
	double scale;		/* pixels per unit */
	unsigned int max_depth;	/* of the frames drawn */
	int height;
	size_t drawn;
	bool emit;		/* false: measure only */
	int err;
};

static double pct(uint64_t v, uint64_t total)
{
	return total ? 100.0 * (double)v / (double)total : 0.0;
}

static void emit_frame(struct fg_out *o, uint32_t n, uint64_t x,
		       unsigned int depth, double px, double pw)
{
	const struct fg_frame *fr = &o->t->f[n];
	uint64_t total = o->t->f[0].value;
	char colour[32], v[32], s[32], c[32];
	double y = o->height - FG_BOTTOM - (double)(depth + 1) * FG_FRAME_H;
	long chars = (long)((pw - 6) / FG_CHAR_W);
	size_t len = strlen(fr->name);

	frame_colour(colour, sizeof(colour), fr);
	fprintf(o->fp, "<g class=\"f\" data-x=\"%" PRIu64 "\" data-w=\"%" PRIu64 "\" data-d=\"%u\"><title>",
		x, fr->value, depth);
	xml_escape(o->fp, fr->name, SIZE_MAX);
	fprintf(o->fp, "\n%s %s (%.2f%%)", thousands(v, sizeof(v), fr->value),
		o->t->unit, pct(fr->value, total));
	if (o->t->calls && n)
		fprintf(o->fp, ", %s call%s, %s ns self",
			thousands(c, sizeof(c), fr->calls),
			fr->calls == 1 ? "" : "s",
			thousands(s, sizeof(s), fr->self));
	fprintf(o->fp, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">",
		px, y, pw, FG_FRAME_H - 1, colour, px + 3, y + FG_FRAME_H - 4.5);
	/* the script relabels on zoom; this is the unzoomed label */
	if (chars >= 3 && (size_t)chars >= len) {
		xml_escape(o->fp, fr->name, len);
	} else if (chars >= 3) {
		xml_escape(o->fp, fr->name, (size_t)chars - 2);
		fputs("..", o->fp);
	}
	fputs("</text></g>\n", o->fp);
}

/* Draws @n at [@x, @x + value) and, left to right, its children. */
static void layout(struct fg_out *o, uint32_t n, uint64_t x,
		   unsigned int depth)
{
	const struct fg_frame *fr = &o->t->f[n];
	double px = FG_PAD + (double)x * o->scale;
	double pw = (double)fr->value * o->scale;
	uint64_t cx = x, end = x + fr->value;
	uint32_t *kids;
	size_t k, i;

	if (pw < FG_MIN_W || o->err)
		return;
	if (depth > o->max_depth)
		o->max_depth = depth;
	o->drawn++;
	if (o->emit)
		emit_frame(o, n, x, depth, px, pw);
	kids = sorted_children(o->t, n, &k);
	if (k && !kids) {
		o->err = -ENOMEM;
		return;
	}
	for (i = 0; i < k; i++) {
		/* children whose times exceed the parent's are cut at its end */
		if (cx >= end)
			break;
		if (o->t->f[kids[i]].value > end - cx)
			o->t->f[kids[i]].value = end - cx;
		layout(o, kids[i], cx, depth + 1);
		cx += o->t->f[kids[i]].value;
	}
	free(kids);
}

/* The search, zoom and details behaviour; no "]]>" in it (CDATA). */
static const char fg_script[] =
"\"use strict\";\n"
"(function () {\n"
"var svg = document.documentElement;\n"
"var W = +svg.getAttribute('width'), PAD = " FG_STR(FG_PAD) ", CW = " FG_STR(FG_CHAR_W) ";\n"
"var total = +svg.getAttribute('data-total');\n"
"var frames = Array.prototype.slice.call(document.querySelectorAll('g.f'));\n"
"var details = document.getElementById('details');\n"
"var matched = document.getElementById('matched');\n"
"var reset = document.getElementById('reset');\n"
"var zoomed = null, re = null;\n"
"frames.forEach(function (g) {\n"
"  var t = g.querySelector('title').textContent;\n"
"  g.fgName = t.split('\\n')[0];\n"
"  g.fgTip = t.replace('\\n', ': ');\n"
"  g.fgX = +g.getAttribute('data-x');\n"
"  g.fgW = +g.getAttribute('data-w');\n"
"  g.fgD = +g.getAttribute('data-d');\n"
"});\n"
"function label(g, w) {\n"
"  var n = Math.floor((w - 6) / CW), s = g.fgName;\n"
"  g.querySelector('text').textContent =\n"
"    n < 3 ? '' : s.length <= n ? s : s.slice(0, n - 2) + '..';\n"
"}\n"
"function place(g, x, w) {\n"
"  var r = g.querySelector('rect');\n"
"  r.setAttribute('x', x.toFixed(1));\n"
"  r.setAttribute('width', w.toFixed(1));\n"
"  g.querySelector('text').setAttribute('x', (x + 3).toFixed(1));\n"
"  label(g, w);\n"
"}\n"
"function zoom(z) {\n"
"  var x0 = z ? z.fgX : 0, w0 = z ? z.fgW : total, d0 = z ? z.fgD : 0;\n"
"  var s = (W - 2 * PAD) / w0;\n"
"  zoomed = z;\n"
"  reset.style.display = z ? '' : 'none';\n"
"  frames.forEach(function (g) {\n"
"    var end = g.fgX + g.fgW;\n"
"    if (g.fgD >= d0 && g.fgX >= x0 && end <= x0 + w0 && g.fgW * s >= 0.1) {\n"
"      g.style.display = '';\n"
"      g.classList.remove('anc');\n"
"      place(g, PAD + (g.fgX - x0) * s, g.fgW * s);\n"
"    } else if (g.fgD < d0 && g.fgX <= x0 && end >= x0 + w0) {\n"
"      g.style.display = '';\n"
"      g.classList.add('anc');\n"
"      place(g, PAD, W - 2 * PAD);\n"
"    } else {\n"
"      g.style.display = 'none';\n"
"    }\n"
"  });\n"
"  show_matched();\n"
"}\n"
"/* the union of the matching frames' ranges inside the zoomed one */\n"
"function show_matched() {\n"
"  if (!re) { matched.textContent = ''; return; }\n"
"  var x0 = zoomed ? zoomed.fgX : 0, w0 = zoomed ? zoomed.fgW : total;\n"
"  var hits = frames.filter(function (g) { return g.fgHit; })\n"
"    .map(function (g) { return [Math.max(g.fgX, x0), Math.min(g.fgX + g.fgW, x0 + w0)]; })\n"
"    .filter(function (r) { return r[1] > r[0]; })\n"
"    .sort(function (a, b) { return a[0] - b[0]; });\n"
"  var sum = 0, end = -1;\n"
"  hits.forEach(function (r) {\n"
"    if (r[0] >= end) { sum += r[1] - r[0]; end = r[1]; }\n"
"    else if (r[1] > end) { sum += r[1] - end; end = r[1]; }\n"
"  });\n"
"  matched.textContent = 'Matched: ' + (100 * sum / w0).toFixed(2) + '%' +\n"
"    (zoomed ? ' of the zoomed frame' : '');\n"
"}\n"
"function search(pattern) {\n"
"  re = null;\n"
"  if (pattern) {\n"
"    try { re = new RegExp(pattern); }\n"
"    catch (e) { details.textContent = 'Search: ' + e.message; }\n"
"  }\n"
"  frames.forEach(function (g) {\n"
"    g.fgHit = !!re && re.test(g.fgName);\n"
"    g.classList.toggle('hit', g.fgHit);\n"
"  });\n"
"  document.getElementById('search').classList.toggle('on', !!re);\n"
"  show_matched();\n"
"}\n"
"function ask() {\n"
"  var p = re ? null : window.prompt('Search frames (a regular expression)', '');\n"
"  search(p);\n"
"}\n"
"svg.addEventListener('click', function (ev) {\n"
"  var g = ev.target.closest('g.f');\n"
"  if (ev.target.id === 'reset') zoom(null);\n"
"  else if (ev.target.id === 'search') ask();\n"
"  else if (g) zoom(g === zoomed ? null : g);\n"
"});\n"
"svg.addEventListener('mouseover', function (ev) {\n"
"  var g = ev.target.closest('g.f');\n"
"  if (g) details.textContent = g.fgTip;\n"
"});\n"
"svg.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
"window.addEventListener('keydown', function (ev) {\n"
"  if ((ev.ctrlKey && ev.key === 'f') || ev.key === '/') { ev.preventDefault(); ask(); }\n"
"  else if (ev.key === 'Escape') { search(null); zoom(null); }\n"
"});\n"
"/* ?s=REGEX searches, ?z=NAME zooms to the first frame so named */\n"
"function param(k) {\n"
"  var m = new RegExp('[?&]' + k + '=([^&]*)').exec(window.location.search);\n"
"  return m ? decodeURIComponent(m[1]) : null;\n"
"}\n"
"var s = param('s'), z = param('z');\n"
"if (s) search(s);\n"
"zoom(frames.filter(function (g) { return g.fgName === z; })[0] || null);\n"
"})();\n";

static const char fg_style[] =
"text { font-family: monospace; font-size: " FG_STR(FG_FONT) "px; fill: #000; }\n"
"g.f text { pointer-events: none; }\n"
"g.f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
"g.f.hit rect { fill: rgb(230,0,230); }\n"
"g.f.anc rect { opacity: 0.6; }\n"
"#title { font-size: 17px; text-anchor: middle; }\n"
"#subtitle { fill: #555; text-anchor: middle; }\n"
"#warning { fill: #b00; text-anchor: middle; }\n"
"#search, #reset { cursor: pointer; fill: #225; }\n"
"#search { text-anchor: end; }\n"
"#search.on { fill: rgb(200,0,200); }\n"
"#matched { text-anchor: end; }\n";

static int write_svg(FILE *fp, struct fg_tree *t)
{
	struct fg_out o = { fp, t, 0, 0, 0, 0, false, 0 };
	uint64_t total = t->f[0].value;

	o.scale = total ? (double)(FG_WIDTH - 2 * FG_PAD) / (double)total : 0;
	if (total)
		layout(&o, 0, 0, 0);	/* measure: the depth drawn */
	if (o.err)
		return o.err;
	o.height = FG_TOP + (int)(o.max_depth + 1) * FG_FRAME_H + FG_BOTTOM;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
	fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" data-total=\"%" PRIu64 "\">\n",
		FG_WIDTH, o.height, FG_WIDTH, o.height, total);
	fprintf(fp, "<!-- a jifl flame graph: click a frame to zoom, Search (or Ctrl-F, /) to highlight, Escape to reset; FILE.svg?s=REGEX searches, ?z=NAME zooms -->\n");
	fprintf(fp, "<style><![CDATA[\n%s]]></style>\n", fg_style);
	fprintf(fp, "<defs><linearGradient id=\"bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\"><stop stop-color=\"#eeeeee\" offset=\"5%%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%%\"/></linearGradient></defs>\n");
	fprintf(fp, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#bg)\"/>\n",
		FG_WIDTH, o.height);
	fprintf(fp, "<text id=\"title\" x=\"%d\" y=\"22\">", FG_WIDTH / 2);
	xml_escape(fp, t->title, SIZE_MAX);
	fprintf(fp, "</text>\n<text id=\"subtitle\" x=\"%d\" y=\"38\">", FG_WIDTH / 2);
	if (t->subtitle)
		xml_escape(fp, t->subtitle, 400);
	fprintf(fp, "</text>\n<text id=\"warning\" x=\"%d\" y=\"54\">", FG_WIDTH / 2);
	xml_escape(fp, t->warning, SIZE_MAX);
	fprintf(fp, "</text>\n<text id=\"reset\" x=\"%d\" y=\"22\" style=\"display:none\">Reset Zoom</text>\n",
		FG_PAD);
	fprintf(fp, "<text id=\"search\" x=\"%d\" y=\"22\">Search</text>\n",
		FG_WIDTH - FG_PAD);
	fprintf(fp, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n",
		FG_PAD, o.height - 10);
	fprintf(fp, "<text id=\"matched\" x=\"%d\" y=\"%d\"></text>\n",
		FG_WIDTH - FG_PAD, o.height - 10);
	o.emit = true;
	o.max_depth = 0;
	if (total)
		layout(&o, 0, 0, 0);
	else
		fprintf(fp, "<text x=\"%d\" y=\"%d\" style=\"text-anchor:middle\">nothing to draw: no time or executions recorded</text>\n",
			FG_WIDTH / 2, o.height / 2);
	if (o.err)
		return o.err;
	fprintf(fp, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n</svg>\n",
		fg_script);
	return 0;
}

/* ---- sources ------------------------------------------------------------- */

static enum fg_kind func_kind(const struct call_func *f)
{
	if (!f->known)
		return FG_UNKNOWN;
	return f->module && f->module[0] ? FG_MODULE : FG_KERNEL;
}

/* Copies call node @n (and what it called) below frame @parent. */
static int copy_calls(struct fg_tree *t, const struct report_calls *rc,
		      uint32_t n, uint32_t parent)
{
	const struct call_node *nd = &rc->nodes[n];
	const struct call_func *f = &rc->funcs[nd->func];
	char name[512];
	int64_t fr;
	uint32_t c;
	int ret;

	report_calls_func_name(name, sizeof(name), f);
	fr = fg_add(t, parent, name, func_kind(f));
	if (fr < 0)
		return (int)fr;
	t->f[fr].value = nd->total_ns;
	t->f[fr].calls = nd->calls;
	t->f[fr].self = nd->self_ns;
	for (c = nd->first_child; c != CALLS_NONE; c = rc->nodes[c].next_sibling) {
		ret = copy_calls(t, rc, c, (uint32_t)fr);
		if (ret)
			return ret;
	}
	return 0;
}

int report_flamegraph_calls(FILE *fp, const struct report_calls *rc,
			    const char *subtitle)
{
	struct fg_tree t = { 0 };
	uint32_t c;
	int ret;

	t.calls = true;
	t.title = "Kernel calls: inclusive time";
	t.unit = "ns";
	t.subtitle = subtitle;
	if (rc->lost)
		snprintf(t.warning, sizeof(t.warning),
			 "WARNING: %" PRIu64 " of %" PRIu64 " records were lost in the kernel: times are lower bounds",
			 rc->lost, rc->lost + rc->nr_records);
	ret = fg_add(&t, FG_NONE, "all", FG_ROOT) < 0 ? -ENOMEM : 0;
	if (!ret) {
		t.f[0].value = rc->total_ns;
		t.f[0].calls = rc->nr_calls;
	}
	for (c = rc->nodes[0].first_child; !ret && c != CALLS_NONE;
	     c = rc->nodes[c].next_sibling)
		ret = copy_calls(&t, rc, c, 0);
	if (!ret)
		ret = write_svg(fp, &t);
	fg_free(&t);
	return ret;
}

/* One executed block, by where it is: module, function, offset. */
struct fg_block {
	const char *module;	/* "vmlinux", a module, or "[unknown]" */
	const char *func;	/* NULL when unknown */
	uint64_t offset;	/* in the function, or the address */
	uint64_t count;
	enum fg_kind kind;
};

static int cmp_block(const void *a, const void *b)
{
	const struct fg_block *x = a, *y = b;
	int c = strcmp(x->module, y->module);

	if (!c && x->func && y->func)
		c = strcmp(x->func, y->func);
	else if (!c && (x->func || y->func))
		c = x->func ? -1 : 1;
	if (!c)
		c = x->offset < y->offset ? -1 : x->offset > y->offset;
	return c;
}

/* The child of @parent named @name, the last one added, or a new one. */
static int64_t level(struct fg_tree *t, uint32_t parent, const char *name,
		     enum fg_kind kind)
{
	uint32_t c = t->f[parent].first_child;

	if (c != FG_NONE && !strcmp(t->f[c].name, name))
		return c;
	return fg_add(t, parent, name, kind);
}

int report_flamegraph_blocks(FILE *fp, const struct report_hist *h,
			     const char *subtitle)
{
	struct fg_block *b = calloc(h->n ? h->n : 1, sizeof(*b));
	struct fg_tree t = { 0 };
	size_t i, n = 0;
	int ret = -ENOMEM;

	if (!b)
		return -ENOMEM;
	for (i = 0; i < h->n; i++) {
		const struct report_entry *e = &h->e[i];

		if (!e->count)
			continue;
		b[n].count = e->count;
		if (e->known) {
			b[n].module = e->sym.module[0] ? e->sym.module : "vmlinux";
			b[n].func = e->sym.name;
			b[n].offset = e->sym.offset;
			b[n].kind = e->sym.module[0] ? FG_MODULE : FG_KERNEL;
		} else {
			b[n].module = "[unknown]";
			b[n].offset = e->addr;
			b[n].kind = FG_UNKNOWN;
		}
		n++;
	}
	qsort(b, n, sizeof(*b), cmp_block);
	/* no call paths to line up: the hottest first, as a profile */
	t.by_value = true;
	t.title = "Kernel blocks: executions (module, function, block)";
	t.unit = "executions";
	t.subtitle = subtitle;
	if (fg_add(&t, FG_NONE, "all", FG_ROOT) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		char name[600];
		int64_t m, f = -1, k;

		m = level(&t, 0, b[i].module, b[i].kind);
		if (m < 0)
			goto out;
		if (b[i].func) {
			f = level(&t, (uint32_t)m, b[i].func, b[i].kind);
			if (f < 0)
				goto out;
			snprintf(name, sizeof(name), "%s+0x%" PRIx64, b[i].func,
				 b[i].offset);
		} else {
			snprintf(name, sizeof(name), "0x%016" PRIx64, b[i].offset);
		}
		k = level(&t, (uint32_t)(f >= 0 ? f : m), name, b[i].kind);
		if (k < 0)
			goto out;
		t.f[k].value += b[i].count;
		if (f >= 0)
			t.f[f].value += b[i].count;
		t.f[m].value += b[i].count;
		t.f[0].value += b[i].count;
	}
	ret = write_svg(fp, &t);
out:
	fg_free(&t);
	free(b);
	return ret;
}
