package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"recours/internal/domain"
	"recours/internal/store"
)

// Read reads and validates a file of org's history as Import does, with
// no database: each valid row goes to row, in order, and the report counts
// the rows read and lists the bad ones. Its error is an EINVALID one
// naming a line when the header is wrong or a record too long, or the
// error reading r. It checks a file without importing it, and is what the
// importer's fuzz target runs.
func Read(r io.Reader, org store.Organisation, now time.Time, row func(store.HistoryRow)) (Report, error) {
	rep := Report{Errors: []RowError{}}
	rd, err := newReader(r, org, now.UTC(), true, &rep)
	if err != nil {
		return rep, err
	}
	for {
		hr, ok := rd.next()
		if !ok {
			return rep, rd.err
		}
		row(hr)
	}
}

// MaxRecord bounds a record of the file, in bytes: a row is a few hundred
// bytes, so a larger one is a quote never closed (the rest of the file read
// as one field) or not a file of history. It is refused before it is held
// in memory.
const MaxRecord = 64 << 10

// lines hands the CSV reader its input one line at a time, never a byte
// past the end of the current line, so that the lines it has delivered are
// the lines the CSV reader has read: it knows the line a record begins on
// and how large the record has grown, and refuses one larger than
// MaxRecord (errRecordTooLong) before the CSV reader buffers it.
type lines struct {
	src       *bufio.Reader
	read      int   // the lines delivered whole
	offset    int64 // the bytes delivered
	start     int64 // the offset the current record begins at
	startLine int   // the line it begins on
}

func newLines(r io.Reader) *lines {
	return &lines{src: bufio.NewReaderSize(r, 64<<10), startLine: 1}
}

// errRecordTooLong is a record larger than MaxRecord, beginning on Line.
type errRecordTooLong struct{ Line int }

func (e *errRecordTooLong) Error() string {
	return fmt.Sprintf("importer: record of line %d over %d bytes", e.Line, MaxRecord)
}

// mark tells that a record was read whole: the next one begins here.
func (l *lines) mark() {
	l.start, l.startLine = l.offset, l.read+1
}

func (l *lines) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if l.offset-l.start >= MaxRecord {
		return 0, &errRecordTooLong{Line: l.startLine}
	}
	if _, err := l.src.Peek(1); err != nil {
		return 0, err
	}
	buf, _ := l.src.Peek(l.src.Buffered())
	buf = buf[:min(len(buf), len(p), int(MaxRecord-(l.offset-l.start)))]
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		buf = buf[:i+1]
	}
	n := copy(p, buf)
	_, _ = l.src.Discard(n)
	blank := l.offset == l.start && (n == 1 || n == 2 && p[0] == '\r') && p[n-1] == '\n'
	l.offset += int64(n)
	if p[n-1] == '\n' {
		l.read++
	}
	if blank { // the CSV reader skips a blank line: the record begins after it
		l.mark()
	}
	return n, nil
}

// recordTooLong refuses the whole file: where the record ends is not
// known, so neither are the rows after it.
func recordTooLong(e *errRecordTooLong) error {
	return &domain.Error{Code: domain.EINVALID, Message: "fichier illisible : rien n'a été importé",
		Fields: []domain.FieldError{{Field: fmt.Sprintf("ligne %d", e.Line), Message: fmt.Sprintf(
			"enregistrement de plus de %d Kio, bien plus qu'une ligne d'historique : un guillemet ouvert et jamais refermé ? "+
				"(la lecture s'arrête là)", MaxRecord>>10)}}}
}

// csvReason says in French what the CSV reader could not read, and how a
// field is written.
func csvReason(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `guillemet mal placé dans un champ non entre guillemets : un champ qui contient un guillemet ` +
			`s'écrit entre guillemets, les siens doublés ("Jean ""Le"" Dupont")`
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
		return fmt.Sprintf("guillemet ouvert ligne %d et mal refermé : le champ entre guillemets court jusqu'à la ligne %d "+
			"(un guillemet oublié ?)", pe.StartLine, pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return "guillemets mal fermés : un champ entre guillemets se termine par un guillemet suivi d'une virgule " +
			"ou de la fin de la ligne, les guillemets qu'il contient doublés"
	}
	return "CSV mal formé"
}

// quote quotes a value of the file in a reason, cut short when long, so
// that a report of bad rows stays small.
func quote(s string) string {
	const most = 40 // runes
	if utf8.RuneCountInString(s) <= most {
		return "« " + s + " »"
	}
	r := []rune(s)
	return "« " + string(r[:most]) + "… »"
}
