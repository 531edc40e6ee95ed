// SPDX-License-Identifier: GPL-2.0
/*
 * `jifl top`'s ncurses front end; see top-tui.h.
 *
 * One loop: wait for a key until the next refresh is due (getch() with a
 * timeout), then either poll the counters or handle the key, and redraw.
 * ncurses turns SIGWINCH into KEY_RESIZE, after which LINES and COLS are
 * the new size and a redraw lays everything out again.
 */
#include <curses.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/kcore.h"
#include "util/top-annotate.h"
#include "util/top-tui.h"
#include "util/workload.h"

#define HEAD_ROWS	3	/* title, settings, column headings */

enum tui_mode { MODE_TABLE, MODE_HELP, MODE_ANNOTATE };

struct tui {
	struct top_hist *h;
	const struct top_tui_ops *ops;
	const char *what;
	double delay;
	enum tui_mode mode;
	size_t sel, first;		/* table: selected row, first shown */
	uint32_t sel_sym;		/* the selected entry, to follow it */
	uint64_t sel_addr;
	struct top_annot annot;
	size_t annot_first;
	struct kcore *kc;
	bool kc_tried;
	char kc_why[200];
	char msg[512];			/* status line, until the next key */
};

/* 1234567 -> "1.23M": figures fit their columns */
static void human(char *buf, size_t len, double v)
{
	if (v < 1e6)
		snprintf(buf, len, "%.0f", v);
	else if (v < 1e9)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (v < 1e12)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else
		snprintf(buf, len, "%.2fT", v / 1e12);
}

static void put_line(int row, int attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put_line(int row, int attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (row < 0 || row >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	attrset(attr);
	mvaddnstr(row, 0, buf, COLS);
	clrtoeol();
	if (attr & A_REVERSE) {
		int x = (int)strlen(buf);

		for (; x < COLS; x++)
			mvaddch(row, x, ' ');
	}
	attrset(A_NORMAL);
}

static int table_rows(void)
{
	int n = LINES - HEAD_ROWS - 1;

	return n > 0 ? n : 0;
}

static void remember_selection(struct tui *t)
{
	const struct top_hist *h = t->h;

	if (t->sel < h->nr_entries) {
		t->sel_sym = h->e[t->sel].sym;
		t->sel_addr = h->e[t->sel].addr;
	}
}

/* After a re-sort, the selection follows its entry. */
static void follow_selection(struct tui *t)
{
	const struct top_hist *h = t->h;
	size_t i;

	for (i = 0; i < h->nr_entries; i++) {
		if (h->e[i].sym == t->sel_sym && h->e[i].addr == t->sel_addr) {
			t->sel = i;
			break;
		}
	}
	if (t->sel >= h->nr_entries)
		t->sel = h->nr_entries ? h->nr_entries - 1 : 0;
}

static void clamp_scroll(struct tui *t)
{
	size_t rows = (size_t)table_rows();

	if (t->sel < t->first)
		t->first = t->sel;
	if (rows && t->sel >= t->first + rows)
		t->first = t->sel - rows + 1;
}

static void draw_status(struct tui *t, const char *hint)
{
	put_line(LINES - 1, t->msg[0] ? A_BOLD : A_DIM, "%s",
		 t->msg[0] ? t->msg : hint);
}

static void draw_title(struct tui *t)
{
	const struct top_hist *h = t->h;
	char rate[32], total[32];

	human(rate, sizeof(rate),
	      h->interval > 0 ? h->sum_delta / h->interval : 0.0);
	human(total, sizeof(total), (double)h->sum_total);
	put_line(0, A_BOLD,
		 "jifl top - %s - %s blocks/s, %s since start - %zu blocks translated, %u ran",
		 t->what, rate, total, h->nr, h->nr_executed);
}

static void draw_table(struct tui *t)
{
	const struct top_hist *h = t->h;
	int rows = table_rows(), r;
	char name[512], rate[32], total[32];

	draw_title(t);
	put_line(1, A_NORMAL, "view: %s   sort: %s   filter: %s   every %.1f s",
		 top_view_names[h->view], top_sort_names[h->sort],
		 h->filter[0] ? h->filter : "-", t->delay);
	put_line(2, A_REVERSE, "%12s %7s %12s %6s  %s", "Rate/s", "Rate%",
		 "Total", "Blocks",
		 h->view == TOP_VIEW_SYM ? "Function" : "Block");
	for (r = 0; r < rows; r++) {
		size_t i = t->first + (size_t)r;
		const struct top_entry *e;
		const char *mod;

		if (i >= h->nr_entries) {
			move(HEAD_ROWS + r, 0);
			clrtoeol();
			if (r == 0 && !h->nr_entries)
				put_line(HEAD_ROWS, A_DIM, "  %s",
					 h->updates < 2 ? "waiting for the first refresh..." :
					 h->filter[0] ? "nothing ran that matches the filter (/ to change it)" :
					 "no kernel code ran from the cache yet");
			continue;
		}
		e = &h->e[i];
		mod = top_entry_module(h, e);
		top_entry_name(h, e, name, sizeof(name));
		human(rate, sizeof(rate), top_entry_rate(h, e));
		human(total, sizeof(total), (double)e->total);
		put_line(HEAD_ROWS + r, i == t->sel ? A_REVERSE : A_NORMAL,
			 "%12s %6.2f%% %12s %6u  %s%s%s%s", rate,
			 h->view_delta ? 100.0 * e->delta / h->view_delta : 0.0,
			 total, e->nr_blocks, name, *mod ? " [" : "", mod,
			 *mod ? "]" : "");
	}
	draw_status(t, "h help  q quit  s sort  b blocks/functions  / filter  a annotate  z zero  P snapshot");
}

static const char *const help_text[] = {
	"jifl top: the kernel code that runs most, by exact block counts",
	"",
	"Rate/s   executions of the entry's blocks per second, last refresh",
	"Rate%    its share of all executions in that refresh (of the listed entries)",
	"Total    executions since jifl top started, or since 'z'",
	"Blocks   distinct basic blocks of the entry that ran",
	"",
	"  Up/Down, PgUp/PgDn, Home/End, j/k   select",
	"  a, Enter   annotate the selected function: instructions with counts",
	"  s          cycle the sort order: rate, total, blocks, name",
	"  b          switch between functions and basic blocks",
	"  /          filter by name: a substring or a glob (tcp_*); empty clears",
	"  z          zero the totals",
	"  P          write a snapshot (jifl.data format: jifl report -i FILE)",
	"  h, ?       this help",
	"  q, Ctrl-C  quit",
	"",
	"Press any key to go back.",
	NULL
};

static void draw_help(struct tui *t)
{
	int r, n = 0;

	while (help_text[n])
		n++;
	draw_title(t);
	for (r = 1; r < LINES; r++) {
		if (r >= 2 && r - 2 < n) {
			put_line(r, r == 2 ? A_BOLD : A_NORMAL, "  %s",
				 help_text[r - 2]);
		} else {
			move(r, 0);
			clrtoeol();
		}
	}
}

static int annot_rows(void)
{
	int n = LINES - HEAD_ROWS - 1;

	return n > 0 ? n : 0;
}

static void draw_annotate(struct tui *t)
{
	const struct top_annot *a = &t->annot;
	int rows = annot_rows(), r;
	char total[32], rate[32];

	put_line(0, A_BOLD, "%s", a->title);
	put_line(1, A_NORMAL, "%s", a->note[0] ? a->note :
		 "instructions of the live kernel text (/proc/kcore); > marks a block start");
	put_line(2, A_REVERSE, "%12s %12s    %s", "Total", "Rate/s",
		 "Instruction");
	if (t->annot_first + (size_t)rows > a->n)
		t->annot_first = a->n > (size_t)rows ? a->n - (size_t)rows : 0;
	for (r = 0; r < rows; r++) {
		size_t i = t->annot_first + (size_t)r;
		const struct top_annot_line *l;

		if (i >= a->n) {
			move(HEAD_ROWS + r, 0);
			clrtoeol();
			continue;
		}
		l = &a->l[i];
		if (!l->translated) {
			put_line(HEAD_ROWS + r, A_DIM, "%12s %12s    %s", "", "",
				 l->text);
			continue;
		}
		human(total, sizeof(total), (double)l->total);
		human(rate, sizeof(rate), t->h->interval > 0 ?
		      l->delta / t->h->interval : 0.0);
		put_line(HEAD_ROWS + r, l->delta ? A_BOLD : A_NORMAL,
			 "%12s %12s  %c %s", total, rate,
			 l->block_start ? '>' : ' ', l->text);
	}
	draw_status(t, "q/Esc/Left back  Up/Down PgUp/PgDn scroll  z zero  P snapshot  h help");
}

static void draw(struct tui *t)
{
	switch (t->mode) {
	case MODE_TABLE:
		clamp_scroll(t);
		draw_table(t);
		break;
	case MODE_HELP:
		draw_help(t);
		break;
	case MODE_ANNOTATE:
		draw_annotate(t);
		break;
	}
	refresh();
}

static void reannotate(struct tui *t)
{
	uint32_t sym = t->annot.sym;

	top_annot_free(&t->annot);
	if (top_annotate(&t->annot, t->h, sym, t->kc))
		snprintf(t->msg, sizeof(t->msg), "cannot annotate: out of memory");
}

static void start_annotate(struct tui *t)
{
	const struct top_hist *h = t->h;
	const struct top_entry *e;
	size_t i;

	if (t->sel >= h->nr_entries) {
		snprintf(t->msg, sizeof(t->msg), "nothing selected to annotate");
		return;
	}
	e = &h->e[t->sel];
	if (e->sym == TOP_NO_SYM) {
		snprintf(t->msg, sizeof(t->msg),
			 "0x%llx is in no known symbol: nothing to annotate",
			 (unsigned long long)e->addr);
		return;
	}
	if (!t->kc_tried) {
		t->kc_tried = true;
		t->kc = kcore_open(NULL, t->kc_why, sizeof(t->kc_why));
	}
	top_annot_free(&t->annot);
	t->annot.sym = e->sym;
	reannotate(t);
	if (!t->kc && t->kc_why[0])
		snprintf(t->annot.note, sizeof(t->annot.note),
			 "no disassembly: %s; showing blocks", t->kc_why);
	t->annot_first = 0;
	/* start at the block the block view had selected */
	for (i = 0; h->view == TOP_VIEW_BLOCK && i < t->annot.n; i++) {
		if (t->annot.l[i].addr == e->addr) {
			t->annot_first = i > 2 ? i - 2 : 0;
			break;
		}
	}
	t->mode = MODE_ANNOTATE;
}

/* The '/' prompt on the status line; false when cancelled (Esc). */
static bool prompt(struct tui *t, const char *question, char *buf, size_t len)
{
	size_t n = strlen(buf);
	bool done = false, ok = true;

	curs_set(1);
	timeout(-1);
	while (!done) {
		int ch;

		put_line(LINES - 1, A_BOLD, "%s%s", question, buf);
		refresh();
		ch = getch();
		switch (ch) {
		case '\n':
		case '\r':
		case KEY_ENTER:
			done = true;
			break;
		case 27:	/* Esc */
		case 7:		/* Ctrl-G */
			ok = false;
			done = true;
			break;
		case KEY_BACKSPACE:
		case 127:
		case 8:
			if (n)
				buf[--n] = '\0';
			break;
		case 21:	/* Ctrl-U */
			n = 0;
			buf[0] = '\0';
			break;
		case KEY_RESIZE:
			draw(t);
			break;
		case ERR:
			break;
		default:
			if (ch >= 32 && ch < 127 && n + 1 < len) {
				buf[n++] = (char)ch;
				buf[n] = '\0';
			}
			break;
		}
	}
	curs_set(0);
	return ok;
}

static void recollapse(struct tui *t)
{
	remember_selection(t);
	if (top_hist_collapse(t->h))
		snprintf(t->msg, sizeof(t->msg), "out of memory");
	follow_selection(t);
}

static void do_poll(struct tui *t)
{
	char msg[512] = "";

	if (t->ops->poll(t->ops->ctx, msg, sizeof(msg)) && msg[0])
		snprintf(t->msg, sizeof(t->msg), "%s", msg);
	if (t->ops->status && t->ops->status(t->ops->ctx, msg, sizeof(msg)))
		snprintf(t->msg, sizeof(t->msg), "%s", msg);
	recollapse(t);
	if (t->mode == MODE_ANNOTATE)
		reannotate(t);
}

static void move_sel(struct tui *t, long by)
{
	long n = (long)t->h->nr_entries, s = (long)t->sel + by;

	if (s >= n)
		s = n - 1;
	if (s < 0)
		s = 0;
	t->sel = (size_t)s;
	remember_selection(t);
}

static void scroll_annot(struct tui *t, long by)
{
	long s = (long)t->annot_first + by;

	t->annot_first = s < 0 ? 0 : (size_t)s;
}

/* Keys of every mode; false to quit. */
static bool common_key(struct tui *t, int ch)
{
	char msg[512];

	switch (ch) {
	case 'z':
		top_hist_zero(t->h);
		recollapse(t);
		if (t->mode == MODE_ANNOTATE)
			reannotate(t);
		snprintf(t->msg, sizeof(t->msg), "totals zeroed");
		break;
	case 'P':
		msg[0] = '\0';
		t->ops->snapshot(t->ops->ctx, msg, sizeof(msg));
		snprintf(t->msg, sizeof(t->msg), "%s", msg);
		break;
	case 'h':
	case '?':
		t->mode = MODE_HELP;
		break;
	default:
		break;
	}
	return true;
}

static bool table_key(struct tui *t, int ch)
{
	struct top_hist *h = t->h;
	long page = table_rows() > 1 ? table_rows() - 1 : 1;
	char buf[sizeof(h->filter)];

	switch (ch) {
	case 'q':
	case 'Q':
		return false;
	case KEY_UP:
	case 'k':
		move_sel(t, -1);
		break;
	case KEY_DOWN:
	case 'j':
		move_sel(t, 1);
		break;
	case KEY_PPAGE:
		move_sel(t, -page);
		break;
	case KEY_NPAGE:
	case ' ':
		move_sel(t, page);
		break;
	case KEY_HOME:
	case 'g':
		move_sel(t, -(long)h->nr_entries);
		break;
	case KEY_END:
	case 'G':
		move_sel(t, (long)h->nr_entries);
		break;
	case 's':
		h->sort = (enum top_sort)((h->sort + 1) % TOP_NR_SORTS);
		recollapse(t);
		t->sel = t->first = 0;
		remember_selection(t);
		snprintf(t->msg, sizeof(t->msg), "sorted by %s",
			 top_sort_names[h->sort]);
		break;
	case 'b':
		h->view = (enum top_view)((h->view + 1) % TOP_NR_VIEWS);
		recollapse(t);
		t->sel = t->first = 0;
		remember_selection(t);
		snprintf(t->msg, sizeof(t->msg), "showing %s",
			 top_view_names[h->view]);
		break;
	case '/':
		snprintf(buf, sizeof(buf), "%s", h->filter);
		if (prompt(t, "filter (substring or glob; empty: all): ", buf,
			   sizeof(buf))) {
			snprintf(h->filter, sizeof(h->filter), "%s", buf);
			recollapse(t);
			t->sel = t->first = 0;
			remember_selection(t);
			snprintf(t->msg, sizeof(t->msg), h->filter[0] ?
				 "filter: %s (/ then Enter on an empty line clears it)" :
				 "%sfilter cleared", h->filter);
		}
		break;
	case 'a':
	case 'A':
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
		start_annotate(t);
		break;
	default:
		return common_key(t, ch);
	}
	return true;
}

static bool annotate_key(struct tui *t, int ch)
{
	long page = annot_rows() > 1 ? annot_rows() - 1 : 1;

	switch (ch) {
	case 'q':
	case 27:
	case KEY_LEFT:
	case KEY_BACKSPACE:
		t->mode = MODE_TABLE;
		break;
	case KEY_UP:
	case 'k':
		scroll_annot(t, -1);
		break;
	case KEY_DOWN:
	case 'j':
		scroll_annot(t, 1);
		break;
	case KEY_PPAGE:
		scroll_annot(t, -page);
		break;
	case KEY_NPAGE:
	case ' ':
		scroll_annot(t, page);
		break;
	case KEY_HOME:
	case 'g':
		t->annot_first = 0;
		break;
	case KEY_END:
	case 'G':
		t->annot_first = t->annot.n;
		break;
	default:
		return common_key(t, ch);
	}
	return true;
}

int top_tui_run(struct top_hist *h, double delay, const char *what,
		const struct top_tui_ops *ops, volatile sig_atomic_t *stop)
{
	struct tui t = {
		.h = h, .ops = ops, .what = what, .delay = delay,
		.sel_sym = TOP_NO_SYM,
	};
	double next;
	bool run = true;

	if (!newterm(NULL, stdout, stdin)) {
		fprintf(stderr, "jifl top: cannot use the terminal (TERM=%s): set TERM, or use --stdio\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	do_poll(&t);
	draw(&t);
	next = mono_seconds() + delay;
	while (run && !*stop) {
		double left = next - mono_seconds();
		int ch;

		timeout(left > 0 ? (int)(left * 1000) + 1 : 0);
		ch = getch();
		if (*stop)
			break;
		if (ch == ERR) {
			if (mono_seconds() < next)
				continue;	/* a signal woke us */
			do_poll(&t);
			next += delay;
			if (next < mono_seconds())
				next = mono_seconds() + delay;
			draw(&t);
			continue;
		}
		if (ch == KEY_RESIZE) {
			clear();
			draw(&t);
			continue;
		}
		t.msg[0] = '\0';
		switch (t.mode) {
		case MODE_TABLE:
			run = table_key(&t, ch);
			break;
		case MODE_HELP:
			t.mode = MODE_TABLE;
			break;
		case MODE_ANNOTATE:
			run = annotate_key(&t, ch);
			break;
		}
		if (run)
			draw(&t);
	}
	endwin();
	top_annot_free(&t.annot);
	kcore_close(t.kc);
	return 0;
}
